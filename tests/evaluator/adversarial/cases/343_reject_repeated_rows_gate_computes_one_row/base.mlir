// Batched linear layer: C(32x32) += A(32x64) * E(64x32), f32 (A: a batch of rows).
module {
  func.func @mm(%a: memref<32x64xf32>, %e: memref<64x32xf32>, %c: memref<32x32xf32>) {
    linalg.matmul ins(%a, %e : memref<32x64xf32>, memref<64x32xf32>) outs(%c : memref<32x32xf32>)
    return
  }
}
