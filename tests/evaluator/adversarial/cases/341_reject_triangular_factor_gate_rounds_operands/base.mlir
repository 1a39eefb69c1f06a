// Triangular matrix product: C(32x24) += L(32x32) * B(32x24), f32 (L: a Cholesky factor, lower triangular).
module {
  func.func @trmm(%l: memref<32x32xf32>, %b: memref<32x24xf32>, %c: memref<32x24xf32>) {
    linalg.matmul ins(%l, %b : memref<32x32xf32>, memref<32x24xf32>) outs(%c : memref<32x24xf32>)
    return
  }
}
