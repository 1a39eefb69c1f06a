// out = exp(x) over 2048 f32.
#m = affine_map<(i) -> (i)>
module {
  func.func @expk(%x: memref<2048xf32>, %out: memref<2048xf32>) {
    linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel"]}
        ins(%x : memref<2048xf32>) outs(%out : memref<2048xf32>) {
    ^bb0(%v: f32, %o: f32):
      %e = math.exp %v : f32
      linalg.yield %e : f32
    }
    return
  }
}
