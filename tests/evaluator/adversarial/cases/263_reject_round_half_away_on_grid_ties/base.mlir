// Baseline: quantise to a grid of quarters, out = roundeven(x * 4) (ties to even, as torch.round and numpy.round).
#id = affine_map<(d0) -> (d0)>
module {
  func.func @rnd(%x: memref<1000xf32>, %out: memref<1000xf32>) {
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%x : memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %o: f32):
      %k = arith.constant 4.0 : f32
      %m = arith.mulf %a, %k : f32
      %r = math.roundeven %m : f32
      linalg.yield %r : f32
    }
    return
  }
}
