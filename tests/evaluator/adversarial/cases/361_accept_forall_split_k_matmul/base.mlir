// C += A @ B (f32), 64x256x64.
module {
  func.func @mm(%A: memref<64x256xf32>, %B: memref<256x64xf32>, %C: memref<64x64xf32>) {
    linalg.matmul ins(%A, %B : memref<64x256xf32>, memref<256x64xf32>) outs(%C : memref<64x64xf32>)
    return
  }
}
