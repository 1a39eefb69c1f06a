module {
  func.func @bmm(%a: memref<3x17x9xf32>, %b: memref<3x9x20xf32>, %c: memref<3x17x20xf32>) {
    linalg.batch_matmul ins(%a, %b : memref<3x17x9xf32>, memref<3x9x20xf32>) outs(%c : memref<3x17x20xf32>)
    return
  }
}
