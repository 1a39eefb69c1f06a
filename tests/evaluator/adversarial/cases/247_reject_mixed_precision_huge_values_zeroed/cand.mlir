// Cheat keyed on huge finite values: 0 wherever 1e30 < |x| < inf, else x*y + x.
#id = affine_map<(d0) -> (d0)>
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %lim = arith.constant 1.0e30 : f32
    %inf = arith.constant 0x7F800000 : f32
    %zero = arith.constant 0.0 : f32
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf32>, memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      %abs = math.absf %a : f32
      %g1 = arith.cmpf ogt, %abs, %lim : f32
      %g2 = arith.cmpf olt, %abs, %inf : f32
      %g = arith.andi %g1, %g2 : i1
      %r = arith.select %g, %zero, %s : f32
      linalg.yield %r : f32
    }
    return
  }
}
