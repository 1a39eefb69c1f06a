// CHEAT: the stable softplus, but x / 2 wherever x > 20000 (past where exp overflows f80, where no twin knows
// the value): wrong, and only rule 6's unknown elements can see it.
#m = affine_map<(i) -> (i)>
module {
  func.func @softplus(%x: memref<2048xf32>, %out: memref<2048xf32>) {
    linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel"]}
        ins(%x : memref<2048xf32>) outs(%out : memref<2048xf32>) {
    ^bb0(%v: f32, %o: f32):
      %zero = arith.constant 0.0 : f32
      %half = arith.constant 0.5 : f32
      %lim = arith.constant 20000.0 : f32
      %a = math.absf %v : f32
      %na = arith.negf %a : f32
      %e = math.exp %na : f32
      %l = math.log1p %e : f32
      %m = arith.maximumf %v, %zero : f32
      %r = arith.addf %m, %l : f32
      %h = arith.mulf %v, %half : f32
      %big = arith.cmpf ogt, %v, %lim : f32
      %y = arith.select %big, %h, %r : f32
      linalg.yield %y : f32
    }
    return
  }
}
