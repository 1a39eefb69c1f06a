// Matmul accumulate: C(512x512) += A(512x256) * B(256x512), f32.
module {
  func.func @mm(%a: memref<512x256xf32>, %b: memref<256x512xf32>, %c: memref<512x512xf32>) {
    linalg.matmul ins(%a, %b : memref<512x256xf32>, memref<256x512xf32>) outs(%c : memref<512x512xf32>)
    return
  }
}
