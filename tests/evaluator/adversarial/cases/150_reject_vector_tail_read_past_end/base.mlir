// Baseline: out[i] = 2 x[i] + y[i] over 1003 f32 elements (1003 is not a multiple of any vector width).
#id = affine_map<(d0) -> (d0)>
module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %two = arith.constant 2.0 : f32
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1003xf32>, memref<1003xf32>) outs(%out : memref<1003xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %p = arith.mulf %a, %two : f32
      %s = arith.addf %p, %b : f32
      linalg.yield %s : f32
    }
    return
  }
}
