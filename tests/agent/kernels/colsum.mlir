#a = affine_map<(i, j) -> (i, j)>
#o = affine_map<(i, j) -> (j)>
module {
  func.func @colsum(%A: memref<30x45xf32>, %o: memref<45xf32>) {
    linalg.generic {indexing_maps = [#a, #o], iterator_types = ["reduction", "parallel"]}
      ins(%A : memref<30x45xf32>) outs(%o : memref<45xf32>) {
    ^bb0(%p: f32, %acc: f32):
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    }
    return
  }
}
