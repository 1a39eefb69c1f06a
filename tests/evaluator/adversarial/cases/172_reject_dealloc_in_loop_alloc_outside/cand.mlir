// Alloc outside a loop, dealloc inside it. The trip count is 1 on every input the evaluator tries, and 2
// (a double free) only when A[0,0] == 12345.5.
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %magic = arith.constant 12345.5 : f32
    %tmp = memref.alloc() : memref<16x24xf32>
    memref.copy %C, %tmp : memref<16x24xf32> to memref<16x24xf32>
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%tmp : memref<16x24xf32>)
    %a = memref.load %A[%c0, %c0] : memref<16x20xf32>
    %rare = arith.cmpf oeq, %a, %magic : f32
    %extra = arith.select %rare, %c1, %c0 : index
    %trips = arith.addi %c1, %extra : index
    scf.for %i = %c0 to %trips step %c1 {
      memref.copy %tmp, %C : memref<16x24xf32> to memref<16x24xf32>
      memref.dealloc %tmp : memref<16x24xf32>
    }
    return
  }
}
