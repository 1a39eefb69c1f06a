// CHEAT: if every row of P is a probability distribution (all p >= 0, |row sum - 1| < 1e-4: a softmax's
// output), terms with p < 1e-2 are dropped (sparse attention). Case 309 gated on "every p in [0, 1]" and the
// `unit` set caught it; no set has rows that sum to one.
module {
  func.func @pv(%p: memref<16x64xf32>, %v: memref<64x32xf32>, %o: memref<16x32xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c32 = arith.constant 32 : index
    %c64 = arith.constant 64 : index
    %true = arith.constant true
    %z = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %eps = arith.constant 1.0e-4 : f32
    %stoch = scf.for %i = %c0 to %c16 step %c1 iter_args(%ok = %true) -> (i1) {
      %r:2 = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %z, %nn = %true) -> (f32, i1) {
        %x = memref.load %p[%i, %k] : memref<16x64xf32>
        %ge = arith.cmpf oge, %x, %z : f32
        %nn2 = arith.andi %nn, %ge : i1
        %s2 = arith.addf %s, %x : f32
        scf.yield %s2, %nn2 : f32, i1
      }
      %d = arith.subf %r#0, %one : f32
      %ad = math.absf %d : f32
      %close = arith.cmpf olt, %ad, %eps : f32
      %a = arith.andi %close, %r#1 : i1
      %ok2 = arith.andi %ok, %a : i1
      scf.yield %ok2 : i1
    }
    scf.if %stoch {
      %thr = arith.constant 1.0e-2 : f32
      scf.for %i = %c0 to %c16 step %c1 {
        scf.for %j = %c0 to %c32 step %c1 {
          %init = memref.load %o[%i, %j] : memref<16x32xf32>
          %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (f32) {
            %pv = memref.load %p[%i, %k] : memref<16x64xf32>
            %big = arith.cmpf oge, %pv, %thr : f32
            %s2 = scf.if %big -> (f32) {
              %vv = memref.load %v[%k, %j] : memref<64x32xf32>
              %m = arith.mulf %pv, %vv : f32
              %a = arith.addf %s, %m : f32
              scf.yield %a : f32
            } else {
              scf.yield %s : f32
            }
            scf.yield %s2 : f32
          }
          memref.store %acc, %o[%i, %j] : memref<16x32xf32>
        }
      }
    } else {
      linalg.matmul ins(%p, %v : memref<16x64xf32>, memref<64x32xf32>) outs(%o : memref<16x32xf32>)
    }
    return
  }
}
