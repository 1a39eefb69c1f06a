// C += A @ B (f32), K = 512.
module {
  func.func @mm(%A: memref<32x512xf32>, %B: memref<512x32xf32>, %C: memref<32x32xf32>) {
    linalg.matmul ins(%A, %B : memref<32x512xf32>, memref<512x32xf32>) outs(%C : memref<32x32xf32>)
    return
  }
}
