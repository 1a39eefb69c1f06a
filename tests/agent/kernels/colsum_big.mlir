// column sums of a 515 x 1030 matrix (2 MiB: enough to start split over the cores, along its columns)
#a = affine_map<(i, j) -> (i, j)>
#o = affine_map<(i, j) -> (j)>
module {
  func.func @colsum_big(%A: memref<515x1030xf32>, %o: memref<1030xf32>) {
    linalg.generic {indexing_maps = [#a, #o], iterator_types = ["reduction", "parallel"]}
      ins(%A : memref<515x1030xf32>) outs(%o : memref<1030xf32>) {
    ^bb0(%p: f32, %acc: f32):
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    }
    return
  }
}
