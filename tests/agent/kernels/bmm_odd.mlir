module {
  func.func @bmm(%a: memref<3x37x70xf32>, %b: memref<3x70x45xf32>, %c: memref<3x37x45xf32>) {
    linalg.batch_matmul ins(%a, %b : memref<3x37x70xf32>, memref<3x70x45xf32>) outs(%c : memref<3x37x45xf32>)
    return
  }
}
