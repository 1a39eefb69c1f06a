module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %b = memref.subview %B[0, 0] [20, 8] [1, 1] : memref<20x24xf32> to memref<20x8xf32, strided<[24, 1]>>
    linalg.matmul ins(%A, %b : memref<16x20xf32>, memref<20x8xf32, strided<[24, 1]>>) outs(%C : memref<16x24xf32>)
    return
  }
}
