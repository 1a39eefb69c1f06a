// Accumulating square matmul C(24x24) += A(24x24) * B(24x24).
module {
  func.func @mm(%A: memref<24x24xf32>, %B: memref<24x24xf32>, %C: memref<24x24xf32>) {
    linalg.matmul ins(%A, %B : memref<24x24xf32>, memref<24x24xf32>) outs(%C : memref<24x24xf32>)
    return
  }
}
