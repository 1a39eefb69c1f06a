// Baseline: accumulating matmul C(16x24) += A(16x20) * B(20x24). C is the output (last argument).
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%C : memref<16x24xf32>)
    return
  }
}
