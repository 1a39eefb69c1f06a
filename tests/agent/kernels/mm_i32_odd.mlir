// C += A x B over i32 (wrapping), odd sizes 37 x 29 x 53: the packed matmul takes integers too
module {
  func.func @mm_i32_odd(%A: memref<37x53xi32>, %B: memref<53x29xi32>, %C: memref<37x29xi32>) {
    linalg.matmul ins(%A, %B : memref<37x53xi32>, memref<53x29xi32>) outs(%C : memref<37x29xi32>)
    return
  }
}
