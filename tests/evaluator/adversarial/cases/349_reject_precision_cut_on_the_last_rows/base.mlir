// C(100x64) += A(100x256) * B(256x64), f32.
module {
  func.func @mm(%a: memref<100x256xf32>, %b: memref<256x64xf32>, %c: memref<100x64xf32>) {
    linalg.matmul ins(%a, %b : memref<100x256xf32>, memref<256x64xf32>) outs(%c : memref<100x64xf32>)
    return
  }
}
