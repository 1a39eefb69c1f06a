// Row maximum: out(16)[i] = max(out[i], max_j x[i, j]), x 16x255 f32, NaN-propagating (arith.maximumf).
#x = affine_map<(i, j) -> (i, j)>
#o = affine_map<(i, j) -> (i)>
module {
  func.func @rowmax(%x: memref<16x255xf32>, %out: memref<16xf32>) {
    linalg.generic {indexing_maps = [#x, #o], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<16x255xf32>) outs(%out : memref<16xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %m = arith.maximumf %acc, %a : f32
      linalg.yield %m : f32
    }
    return
  }
}
