// out = exp(100 x) over 1000 f32: past x = 0.887 the f32 result is Inf while f64's is finite (up to x = 7.09)
module {
  func.func @ex(%x: memref<1000xf32>, %out: memref<1000xf32>) {
    %k = arith.constant 100.0 : f32
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
        ins(%x : memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %o: f32):
      %t = arith.mulf %a, %k : f32
      %e = math.exp %t : f32
      linalg.yield %e : f32
    }
    return
  }
}
