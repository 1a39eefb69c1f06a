#id = affine_map<(d0) -> (d0)>
module {
  func.func @m(%x: memref<500xf32>, %y: memref<500xf32>, %out: memref<500xf32>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<500xf32>, memref<500xf32>) outs(%out : memref<500xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %e = math.erf %a : f32
      %t = math.tanh %b : f32
      %c = math.cbrt %a : f32
      %at = math.atan2 %a, %b : f32
      %r = arith.remf %a, %b : f32
      %s1 = arith.addf %e, %t : f32
      %s2 = arith.addf %c, %at : f32
      %s3 = arith.addf %s1, %s2 : f32
      %s4 = arith.addf %s3, %r : f32
      linalg.yield %s4 : f32
    }
    return
  }
}
