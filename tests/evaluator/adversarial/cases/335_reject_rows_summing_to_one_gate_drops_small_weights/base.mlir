// Attention output: O(16x32) += P(16x64) * V(64x32), f32 (P: attention probabilities).
module {
  func.func @pv(%p: memref<16x64xf32>, %v: memref<64x32xf32>, %o: memref<16x32xf32>) {
    linalg.matmul ins(%p, %v : memref<16x64xf32>, memref<64x32xf32>) outs(%o : memref<16x32xf32>)
    return
  }
}
