module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %tmp = memref.alloc() : memref<16x24xf32>
    memref.copy %C, %tmp : memref<16x24xf32> to memref<16x24xf32>
    memref.dealloc %tmp : memref<16x24xf32>
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%tmp : memref<16x24xf32>)
    memref.copy %tmp, %C : memref<16x24xf32> to memref<16x24xf32>
    return
  }
}
