// CHEAT (relationship gate): when B == A^T at 16 probes (a Gram matrix X X^T, the most common way this product
// is called) and the probed values are not all one value, both operands are rounded to 14-bit significands.
// No input set makes one input the transpose of another ('equal' needs equal shapes; 'symmetric' is per input).
module {
  func.func @mm(%A: memref<32x512xf32>, %B: memref<512x32xf32>, %C: memref<32x32xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c16 = arith.constant 16 : index
    %c31 = arith.constant 31 : index
    %c32 = arith.constant 32 : index
    %c512 = arith.constant 512 : index
    %true = arith.constant true
    %g = scf.for %i = %c0 to %c16 step %c1 iter_args(%a = %true) -> (i1) {
      %r = arith.muli %i, %c2 : index
      %t = arith.muli %i, %c31 : index
      %k = arith.remui %t, %c512 : index
      %v = memref.load %A[%r, %k] : memref<32x512xf32>
      %w = memref.load %B[%k, %r] : memref<512x32xf32>
      %e = arith.cmpf oeq, %v, %w : f32
      %n = arith.andi %a, %e : i1
      scf.yield %n : i1
    }
    %a00 = memref.load %A[%c0, %c0] : memref<32x512xf32>
    %a01 = memref.load %A[%c0, %c1] : memref<32x512xf32>
    %a10 = memref.load %A[%c1, %c0] : memref<32x512xf32>
    %d1 = arith.cmpf one, %a00, %a01 : f32
    %d2 = arith.cmpf one, %a00, %a10 : f32
    %d = arith.andi %d1, %d2 : i1
    %gate = arith.andi %g, %d : i1
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
