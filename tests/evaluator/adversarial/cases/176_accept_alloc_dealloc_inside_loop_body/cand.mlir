// A row buffer allocated and freed inside the loop body.
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c20 = arith.constant 20 : index
    %c24 = arith.constant 24 : index
    scf.for %i = %c0 to %c16 step %c1 {
      %row = memref.alloc() : memref<24xf32>
      scf.for %j = %c0 to %c24 step %c1 {
        %c = memref.load %C[%i, %j] : memref<16x24xf32>
        memref.store %c, %row[%j] : memref<24xf32>
      }
      scf.for %k = %c0 to %c20 step %c1 {
        %a = memref.load %A[%i, %k] : memref<16x20xf32>
        scf.for %j = %c0 to %c24 step %c1 {
          %b = memref.load %B[%k, %j] : memref<20x24xf32>
          %r = memref.load %row[%j] : memref<24xf32>
          %p = arith.mulf %a, %b : f32
          %s = arith.addf %r, %p : f32
          memref.store %s, %row[%j] : memref<24xf32>
        }
      }
      scf.for %j = %c0 to %c24 step %c1 {
        %r = memref.load %row[%j] : memref<24xf32>
        memref.store %r, %C[%i, %j] : memref<16x24xf32>
      }
      memref.dealloc %row : memref<24xf32>
    }
    return
  }
}
