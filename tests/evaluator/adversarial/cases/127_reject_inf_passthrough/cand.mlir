#id = affine_map<(d0) -> (d0)>
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf32>, memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %inf = arith.constant 0x7F800000 : f32
      %abs = math.absf %a : f32
      %isinf = arith.cmpf oeq, %abs, %inf : f32
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      %r = arith.select %isinf, %a, %s : f32
      linalg.yield %r : f32
    }
    return
  }
}
