// Baseline: elementwise out[i] = x[i] * y[i] + x[i] over 1024 f32 elements (out overwritten).
#id = affine_map<(d0) -> (d0)>
module {
  func.func @ew(%x: memref<1024xf32>, %y: memref<1024xf32>, %out: memref<1024xf32>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1024xf32>, memref<1024xf32>) outs(%out : memref<1024xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}
