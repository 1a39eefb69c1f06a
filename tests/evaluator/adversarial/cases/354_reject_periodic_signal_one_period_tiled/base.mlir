// SiLU of a 1-D signal of 8192 samples, y = x / (1 + exp(-x)), f32.
#m = affine_map<(i) -> (i)>
module {
  func.func @silu(%x: memref<8192xf32>, %y: memref<8192xf32>) {
    %one = arith.constant 1.0 : f32
    linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel"]}
        ins(%x : memref<8192xf32>) outs(%y : memref<8192xf32>) {
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
