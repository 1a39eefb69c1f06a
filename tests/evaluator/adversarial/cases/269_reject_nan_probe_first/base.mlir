#id = affine_map<(d0) -> (d0)>
module {
  func.func @relu(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %zero = arith.constant 0.0 : f32
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf32>, memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      %r = arith.maximumf %s, %zero : f32
      linalg.yield %r : f32
    }
    return
  }
}
