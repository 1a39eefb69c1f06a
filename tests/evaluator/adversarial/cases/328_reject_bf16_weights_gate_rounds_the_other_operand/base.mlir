// Linear layer accumulate: C(16x32) += A(16x64) * W(64x32), f32.
module {
  func.func @linear(%a: memref<16x64xf32>, %w: memref<64x32xf32>, %c: memref<16x32xf32>) {
    linalg.matmul ins(%a, %w : memref<16x64xf32>, memref<64x32xf32>) outs(%c : memref<16x32xf32>)
    return
  }
}
