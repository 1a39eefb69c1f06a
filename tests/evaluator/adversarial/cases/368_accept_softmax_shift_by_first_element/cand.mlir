// CORRECT: softmax is invariant to the shift; this one shifts by the row's first element x0 (no max pass) and
// multiplies by the reciprocal of the sum. If x0 is not finite, or any x - x0 exceeds 80 (exp could overflow) or
// is NaN, or the sum is not finite/normal, it falls back to the max-shifted form. Differs from the baseline by
// rounding only.
module {
  func.func @softmax(%x: memref<32x512xf32>, %out: memref<32x512xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %c512 = arith.constant 512 : index
    %ninf = arith.constant 0xFF800000 : f32
    %zero = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %lim = arith.constant 80.0 : f32
    %big = arith.constant 1.0e30 : f32
    %tiny = arith.constant 1.0e-30 : f32
    %true = arith.constant true
    scf.for %i = %c0 to %c32 step %c1 {
      %x0 = memref.load %x[%i, %c0] : memref<32x512xf32>
      %r:2 = scf.for %j = %c0 to %c512 step %c1 iter_args(%a = %zero, %ok = %true) -> (f32, i1) {
        %v = memref.load %x[%i, %j] : memref<32x512xf32>
        %d = arith.subf %v, %x0 : f32
        %e = math.exp %d : f32
        %n = arith.addf %a, %e : f32
        %fine = arith.cmpf ole, %d, %lim : f32
        %ok2 = arith.andi %ok, %fine : i1
        scf.yield %n, %ok2 : f32, i1
      }
      %sf1 = arith.cmpf olt, %r#0, %big : f32
      %sf2 = arith.cmpf ogt, %r#0, %tiny : f32
      %sf = arith.andi %sf1, %sf2 : i1
      %good = arith.andi %r#1, %sf : i1
      scf.if %good {
        %inv = arith.divf %one, %r#0 : f32
        scf.for %j = %c0 to %c512 step %c1 {
          %v = memref.load %x[%i, %j] : memref<32x512xf32>
          %d = arith.subf %v, %x0 : f32
          %e = math.exp %d : f32
          %q = arith.mulf %e, %inv : f32
          memref.store %q, %out[%i, %j] : memref<32x512xf32>
        }
      } else {
        %m = scf.for %j = %c0 to %c512 step %c1 iter_args(%a = %ninf) -> (f32) {
          %v = memref.load %x[%i, %j] : memref<32x512xf32>
          %q = arith.maximumf %a, %v : f32
          scf.yield %q : f32
        }
        %s = scf.for %j = %c0 to %c512 step %c1 iter_args(%a = %zero) -> (f32) {
          %v = memref.load %x[%i, %j] : memref<32x512xf32>
          %d = arith.subf %v, %m : f32
          %e = math.exp %d : f32
          memref.store %e, %out[%i, %j] : memref<32x512xf32>
          %q = arith.addf %a, %e : f32
          scf.yield %q : f32
        }
        scf.for %j = %c0 to %c512 step %c1 {
          %e = memref.load %out[%i, %j] : memref<32x512xf32>
          %q = arith.divf %e, %s : f32
          memref.store %q, %out[%i, %j] : memref<32x512xf32>
        }
      }
    }
    return
  }
}
