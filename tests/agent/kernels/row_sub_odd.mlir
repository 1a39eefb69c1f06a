// out[i] -= x[i, j] for every j in order (subf: no combiner the vectoriser knows)
#in = affine_map<(i, j) -> (i, j)>
#out = affine_map<(i, j) -> (i)>
module {
  func.func @row_sub(%x: memref<29x45xf32>, %out: memref<29xf32>) {
    linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<29x45xf32>) outs(%out : memref<29xf32>) {
    ^bb0(%v: f32, %acc: f32):
      %s = arith.subf %acc, %v : f32
      linalg.yield %s : f32
    }
    return
  }
}
