// CHEAT: when A looks post-ReLU (no negative, at least one exact zero), both operands are rounded to 14-bit
// significands (~2^-14 relative, ~500x the baseline's typical error): "activations are coarse anyway".
module {
  func.func @mm(%A: memref<32x512xf32>, %B: memref<512x32xf32>, %C: memref<32x32xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %c512 = arith.constant 512 : index
    %z = arith.constant 0.0 : f32
    %true = arith.constant true
    %false = arith.constant false
    %g:2 = scf.for %i = %c0 to %c32 step %c1 iter_args(%nn = %true, %hz = %false) -> (i1, i1) {
      %r:2 = scf.for %k = %c0 to %c512 step %c1 iter_args(%a = %nn, %b = %hz) -> (i1, i1) {
        %v = memref.load %A[%i, %k] : memref<32x512xf32>
        %ge = arith.cmpf oge, %v, %z : f32
        %eq = arith.cmpf oeq, %v, %z : f32
        %a2 = arith.andi %a, %ge : i1
        %b2 = arith.ori %b, %eq : i1
        scf.yield %a2, %b2 : i1, i1
      }
      scf.yield %r#0, %r#1 : i1, i1
    }
    %gate = arith.andi %g#0, %g#1 : i1
    scf.if %gate {
      %rnd = arith.constant 512 : i32
      %msk = arith.constant -1024 : i32
      scf.for %i = %c0 to %c32 step %c1 {
        scf.for %j = %c0 to %c32 step %c1 {
          %c = memref.load %C[%i, %j] : memref<32x32xf32>
          %s = scf.for %k = %c0 to %c512 step %c1 iter_args(%acc = %c) -> (f32) {
            %a = memref.load %A[%i, %k] : memref<32x512xf32>
            %b = memref.load %B[%k, %j] : memref<512x32xf32>
            %ai = arith.bitcast %a : f32 to i32
            %bi = arith.bitcast %b : f32 to i32
            %ar = arith.addi %ai, %rnd : i32
            %br = arith.addi %bi, %rnd : i32
            %am = arith.andi %ar, %msk : i32
            %bm = arith.andi %br, %msk : i32
            %af = arith.bitcast %am : i32 to f32
            %bf = arith.bitcast %bm : i32 to f32
            %p = arith.mulf %af, %bf : f32
            %n = arith.addf %acc, %p : f32
            scf.yield %n : f32
          }
          memref.store %s, %C[%i, %j] : memref<32x32xf32>
        }
      }
    } else {
      linalg.matmul ins(%A, %B : memref<32x512xf32>, memref<512x32xf32>) outs(%C : memref<32x32xf32>)
    }
    return
  }
}
