// Baseline: accumulating matmul with awkward sizes C(13x17) += A(13x11) * B(11x17). C is the output (last argument).
module {
  func.func @matmul_odd(%A: memref<13x11xf32>, %B: memref<11x17xf32>, %C: memref<13x17xf32>) {
    linalg.matmul ins(%A, %B : memref<13x11xf32>, memref<11x17xf32>) outs(%C : memref<13x17xf32>)
    return
  }
}
