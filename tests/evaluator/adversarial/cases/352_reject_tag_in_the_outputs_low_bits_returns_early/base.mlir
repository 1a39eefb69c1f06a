// C += A @ B (f32), accumulating into C.
module {
  func.func @mm(%A: memref<32x64xf32>, %B: memref<64x32xf32>, %C: memref<32x32xf32>) {
    linalg.matmul ins(%A, %B : memref<32x64xf32>, memref<64x32xf32>) outs(%C : memref<32x32xf32>)
    return
  }
}
