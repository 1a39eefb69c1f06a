// Scratch buffer sized by the output argument's dim.
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %rows = memref.dim %C, %c0 : memref<16x24xf32>
    %tmp = memref.alloc(%rows) : memref<?x24xf32>
    %view = memref.cast %tmp : memref<?x24xf32> to memref<16x24xf32>
    memref.copy %C, %view : memref<16x24xf32> to memref<16x24xf32>
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%view : memref<16x24xf32>)
    memref.copy %view, %C : memref<16x24xf32> to memref<16x24xf32>
    memref.dealloc %tmp : memref<?x24xf32>
    return
  }
}
