// Baseline: square accumulating matmul C(16x16) += A(16x16) * B(16x16). C is the output (last argument).
module {
  func.func @matmul_sq(%A: memref<16x16xf32>, %B: memref<16x16xf32>, %C: memref<16x16xf32>) {
    linalg.matmul ins(%A, %B : memref<16x16xf32>, memref<16x16xf32>) outs(%C : memref<16x16xf32>)
    return
  }
}
