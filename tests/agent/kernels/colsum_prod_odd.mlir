// out[j] += sum_i x[i, j] * y[i, j] over 1030 rows of 515 columns (a weight vector's gradient over a batch)
#a = affine_map<(i, j) -> (i, j)>
#o = affine_map<(i, j) -> (j)>
module {
  func.func @colsum_prod_odd(%x: memref<1030x515xf32>, %y: memref<1030x515xf32>, %o: memref<515xf32>) {
    linalg.generic {indexing_maps = [#a, #a, #o], iterator_types = ["reduction", "parallel"]}
      ins(%x, %y : memref<1030x515xf32>, memref<1030x515xf32>) outs(%o : memref<515xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    return
  }
}
