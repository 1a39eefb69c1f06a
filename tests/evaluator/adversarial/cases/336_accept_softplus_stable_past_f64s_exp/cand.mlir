// CORRECT: the stable softplus, max(x, 0) + log1p(exp(-|x|)) (PyTorch's and JAX's form): never overflows,
// keeps exp(x) for very negative x where the textbook form rounds 1 + exp(x) to 1 and gives 0.
#m = affine_map<(i) -> (i)>
module {
  func.func @softplus(%x: memref<2048xf32>, %out: memref<2048xf32>) {
    linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel"]}
        ins(%x : memref<2048xf32>) outs(%out : memref<2048xf32>) {
    ^bb0(%v: f32, %o: f32):
      %zero = arith.constant 0.0 : f32
      %a = math.absf %v : f32
      %na = arith.negf %a : f32
      %e = math.exp %na : f32
      %l = math.log1p %e : f32
      %m = arith.maximumf %v, %zero : f32
      %r = arith.addf %m, %l : f32
      linalg.yield %r : f32
    }
    return
  }
}
