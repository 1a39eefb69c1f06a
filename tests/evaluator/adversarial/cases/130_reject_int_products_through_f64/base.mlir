// Baseline: integer accumulating matmul C(8x12) += A(8x10) * B(10x12) in i32 (wrapping arithmetic).
module {
  func.func @imatmul(%A: memref<8x10xi32>, %B: memref<10x12xi32>, %C: memref<8x12xi32>) {
    linalg.matmul ins(%A, %B : memref<8x10xi32>, memref<10x12xi32>) outs(%C : memref<8x12xi32>)
    return
  }
}
