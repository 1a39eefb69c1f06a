// PolyBench floyd-warshall as affine loops at an odd size (37 nodes, i32 path lengths), in place:
// path[i][j] = min(path[i][j], path[i][k] + path[k][j]). Every row reads row k and every j reads path[i][k],
// which the iterations i = k and j = k write: neither loop is parallel as written, and LLVM runs it scalar.
module {
  func.func @floyd_warshall(%path: memref<37x37xi32> {neurojit.output}) {
    affine.for %k = 0 to 37 {
      affine.for %i = 0 to 37 {
        affine.for %j = 0 to 37 {
          %ij = affine.load %path[%i, %j] : memref<37x37xi32>
          %ik = affine.load %path[%i, %k] : memref<37x37xi32>
          %kj = affine.load %path[%k, %j] : memref<37x37xi32>
          %through = arith.addi %ik, %kj : i32
          %shorter = arith.cmpi slt, %ij, %through : i32
          %min = arith.select %shorter, %ij, %through : i32
          affine.store %min, %path[%i, %j] : memref<37x37xi32>
        }
      }
    }
    return
  }
}
