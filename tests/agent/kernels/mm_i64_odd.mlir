// C += A x B over i64 (wrapping), odd sizes 37 x 29 x 53: the packed matmul takes integers too
module {
  func.func @mm_i64_odd(%A: memref<37x53xi64>, %B: memref<53x29xi64>, %C: memref<37x29xi64>) {
    linalg.matmul ins(%A, %B : memref<37x53xi64>, memref<53x29xi64>) outs(%C : memref<37x29xi64>)
    return
  }
}
