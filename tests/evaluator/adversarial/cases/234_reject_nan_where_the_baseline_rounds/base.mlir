// out = ((x + 64) - 64) / (1 + d*d): ordinary inputs, the baseline only normwise-accurate (x rounded to 2^-18)
#id = affine_map<(d0) -> (d0)>
module {
  func.func @q(%x: memref<1024xf32>, %d: memref<1024xf32>, %out: memref<1024xf32>) {
    %k = arith.constant 64.0 : f32
    %one = arith.constant 1.0 : f32
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %d : memref<1024xf32>, memref<1024xf32>) outs(%out : memref<1024xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.addf %a, %k : f32
      %t = arith.subf %s, %k : f32
      %b2 = arith.mulf %b, %b : f32
      %den = arith.addf %b2, %one : f32
      %r = arith.divf %t, %den : f32
      linalg.yield %r : f32
    }
    return
  }
}
