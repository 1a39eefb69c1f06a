module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x32xf32>, %C: memref<16x32xf32>) {
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x32xf32>) outs(%C : memref<16x32xf32>)
    return
  }
}
