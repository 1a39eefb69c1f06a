// exp(100 x) saturated at the largest finite f32 where f64's exp is still finite (88.7 < 100 x < 700): "a huge
// finite value is friendlier than Inf"
module {
  func.func @ex(%x: memref<1000xf32>, %out: memref<1000xf32>) {
    %k = arith.constant 100.0 : f32
    %hi = arith.constant 88.7 : f32
    %far = arith.constant 700.0 : f32
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
        ins(%x : memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %o: f32):
      %t = arith.mulf %a, %k : f32
      %c = arith.minimumf %t, %hi : f32
      %e = math.exp %c : f32
      %big = arith.cmpf ogt, %t, %far : f32
      %full = math.exp %t : f32
      %r = arith.select %big, %full, %e : f32
      linalg.yield %r : f32
    }
    return
  }
}
