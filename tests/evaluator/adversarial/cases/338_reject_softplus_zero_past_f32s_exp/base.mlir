// Softplus, textbook: out = log(1 + exp(x)) over 2048 f32.
#m = affine_map<(i) -> (i)>
module {
  func.func @softplus(%x: memref<2048xf32>, %out: memref<2048xf32>) {
    linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel"]}
        ins(%x : memref<2048xf32>) outs(%out : memref<2048xf32>) {
    ^bb0(%v: f32, %o: f32):
      %one = arith.constant 1.0 : f32
      %e = math.exp %v : f32
      %s = arith.addf %one, %e : f32
      %l = math.log %s : f32
      linalg.yield %l : f32
    }
    return
  }
}
