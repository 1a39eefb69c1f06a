// Matmul accumulate: C(64x64) += A(64x256) * B(256x64), f32.
module {
  func.func @mm(%a: memref<64x256xf32>, %b: memref<256x64xf32>, %c: memref<64x64xf32>) {
    linalg.matmul ins(%a, %b : memref<64x256xf32>, memref<256x64xf32>) outs(%c : memref<64x64xf32>)
    return
  }
}
