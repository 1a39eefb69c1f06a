// y += x A (a vector-matrix product, as linalg.vecmat): its one parallel loop, j, is the vector loop, and the
// reduced loop i comes after it
module {
  func.func @vecmat_odd(%x: memref<37xf32>, %A: memref<37x53xf32>, %y: memref<53xf32>) {
    linalg.vecmat ins(%x, %A : memref<37xf32>, memref<37x53xf32>) outs(%y : memref<53xf32>)
    return
  }
}
