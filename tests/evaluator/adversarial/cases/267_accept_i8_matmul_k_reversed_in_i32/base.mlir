// a quantised matmul: i8 operands, i32 accumulation (C += A x B)
module {
  func.func @qmm(%A: memref<8x16xi8>, %B: memref<16x12xi8>, %C: memref<8x12xi32>) {
    linalg.matmul ins(%A, %B : memref<8x16xi8>, memref<16x12xi8>) outs(%C : memref<8x12xi32>)
    return
  }
}
