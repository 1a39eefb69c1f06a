// wrong: Inf (not 6) wherever x * x overflows
#id = affine_map<(d0) -> (d0)>
module {
  func.func @clsq(%x: memref<1024xf32>, %out: memref<1024xf32>) {
    %six = arith.constant 6.0 : f32
    %inf = arith.constant 0x7F800000 : f32
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%x : memref<1024xf32>) outs(%out : memref<1024xf32>) {
    ^bb0(%a: f32, %o: f32):
      %sq = arith.mulf %a, %a : f32
      %r = arith.minimumf %sq, %six : f32
      %over = arith.cmpf oeq, %sq, %inf : f32
      %v = arith.select %over, %sq, %r : f32
      linalg.yield %v : f32
    }
    return
  }
}
