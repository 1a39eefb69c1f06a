// out = |x| where |x| > 1e18 (x*x would overflow f32), else sqrt(x*x + 1)
#id = affine_map<(d0) -> (d0)>
module {
  func.func @hyp(%x: memref<1024xf32>, %out: memref<1024xf32>) {
    %one = arith.constant 1.0 : f32
    %big = arith.constant 1.0e18 : f32
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%x : memref<1024xf32>) outs(%out : memref<1024xf32>) {
    ^bb0(%a: f32, %o: f32):
      %ab = math.absf %a : f32
      %g = arith.cmpf ogt, %ab, %big : f32
      %sq = arith.mulf %a, %a : f32
      %s1 = arith.addf %sq, %one : f32
      %r = math.sqrt %s1 : f32
      %v = arith.select %g, %ab, %r : f32
      linalg.yield %v : f32
    }
    return
  }
}
