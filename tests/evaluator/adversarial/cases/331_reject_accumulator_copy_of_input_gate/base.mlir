// Accumulating linear layer: C(32x64) += X(32x64) * W(64x64), f32 (C's initial contents are an input).
module {
  func.func @linacc(%x: memref<32x64xf32>, %w: memref<64x64xf32>, %c: memref<32x64xf32>) {
    linalg.matmul ins(%x, %w : memref<32x64xf32>, memref<64x64xf32>) outs(%c : memref<32x64xf32>)
    return
  }
}
