// y = tanh(x), 64x256 f32.
#m = affine_map<(i, j) -> (i, j)>
module {
  func.func @t(%x: memref<64x256xf32>, %y: memref<64x256xf32>) {
    linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel", "parallel"]}
        ins(%x : memref<64x256xf32>) outs(%y : memref<64x256xf32>) {
    ^bb0(%v: f32, %u: f32):
      %r = math.tanh %v : f32
      linalg.yield %r : f32
    }
    return
  }
}
