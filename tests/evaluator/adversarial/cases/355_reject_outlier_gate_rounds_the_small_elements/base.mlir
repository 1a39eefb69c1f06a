// SiLU, y = x / (1 + exp(-x)), 64x256 f32, out overwritten.
#m = affine_map<(i, j) -> (i, j)>
module {
  func.func @silu(%x: memref<64x256xf32>, %y: memref<64x256xf32>) {
    %one = arith.constant 1.0 : f32
    linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel", "parallel"]}
        ins(%x : memref<64x256xf32>) outs(%y : memref<64x256xf32>) {
    ^bb0(%v: f32, %u: f32):
      %n = arith.negf %v : f32
      %e = math.exp %n : f32
      %d = arith.addf %one, %e : f32
      %r = arith.divf %v, %d : f32
      linalg.yield %r : f32
    }
    return
  }
}
