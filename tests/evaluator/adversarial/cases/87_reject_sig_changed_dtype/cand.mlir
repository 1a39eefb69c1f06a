module {
  func.func @matmul(%A: memref<16x20xf64>, %B: memref<20x24xf64>, %C: memref<16x24xf64>) {
    linalg.matmul ins(%A, %B : memref<16x20xf64>, memref<20x24xf64>) outs(%C : memref<16x24xf64>)
    return
  }
}
