// A 2-D transpose of odd extents on memrefs (out = x^T): every tile of the transpose schedule leaves a partial rest
module {
  func.func @transpose_odd(%x: memref<37x53xf32>, %out: memref<53x37xf32>) {
    linalg.transpose ins(%x : memref<37x53xf32>) outs(%out : memref<53x37xf32>) permutation = [1, 0]
    return
  }
}
