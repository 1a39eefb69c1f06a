// CORRECT: sparsity-aware C += A B. Scans B once for non-finite values; if B is all finite, any A element that is
// exactly zero contributes +-0 (which never changes a sum that is not -0... and C + (+-0) keeps C unless C is -0),
// so such k are skipped -- except that a skipped 0 x b could only matter as -0 + +0 = +0: to stay exact we only
// skip when the accumulator is not zero. If B has Inf/NaN the plain loop runs. Row-wise i-k-j order would change
// rounding; here each C[i,j] still accumulates in ascending k, so the result equals the baseline bit for bit.
module {
  func.func @mm(%A: memref<32x512xf32>, %B: memref<512x32xf32>, %C: memref<32x32xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %c512 = arith.constant 512 : index
    %z = arith.constant 0.0 : f32
    %true = arith.constant true
    %fin = scf.for %k = %c0 to %c512 step %c1 iter_args(%f = %true) -> (i1) {
      %r = scf.for %j = %c0 to %c32 step %c1 iter_args(%g = %f) -> (i1) {
        %b = memref.load %B[%k, %j] : memref<512x32xf32>
        %d = arith.subf %b, %b : f32
        %e = arith.cmpf oeq, %d, %z : f32
        %n = arith.andi %g, %e : i1
        scf.yield %n : i1
      }
      scf.yield %r : i1
    }
    scf.for %i = %c0 to %c32 step %c1 {
      scf.for %j = %c0 to %c32 step %c1 {
        %c = memref.load %C[%i, %j] : memref<32x32xf32>
        %s = scf.for %k = %c0 to %c512 step %c1 iter_args(%acc = %c) -> (f32) {
          %a = memref.load %A[%i, %k] : memref<32x512xf32>
          %az = arith.cmpf oeq, %a, %z : f32
          %accz = arith.cmpf oeq, %acc, %z : f32
          %nacc = arith.xori %accz, %true : i1
          %skip0 = arith.andi %az, %fin : i1
          %skip = arith.andi %skip0, %nacc : i1
          %n = scf.if %skip -> (f32) {
            scf.yield %acc : f32
          } else {
            %b = memref.load %B[%k, %j] : memref<512x32xf32>
            %p = arith.mulf %a, %b : f32
            %t = arith.addf %acc, %p : f32
            scf.yield %t : f32
          }
          scf.yield %n : f32
        }
        memref.store %s, %C[%i, %j] : memref<32x32xf32>
      }
    }
    return
  }
}
