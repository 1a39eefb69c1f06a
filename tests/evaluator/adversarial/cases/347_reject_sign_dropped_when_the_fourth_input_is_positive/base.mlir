// out = x*y + z*s elementwise over 1024 f32 (s: a positive scale, e.g. a standard deviation).
#m = affine_map<(i) -> (i)>
module {
  func.func @fma2(%x: memref<1024xf32>, %y: memref<1024xf32>, %z: memref<1024xf32>, %s: memref<1024xf32>, %out: memref<1024xf32>) {
    linalg.generic {indexing_maps = [#m, #m, #m, #m, #m], iterator_types = ["parallel"]}
        ins(%x, %y, %z, %s : memref<1024xf32>, memref<1024xf32>, memref<1024xf32>, memref<1024xf32>) outs(%out : memref<1024xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32, %d: f32, %o: f32):
      %p = arith.mulf %a, %b : f32
      %q = arith.mulf %c, %d : f32
      %r = arith.addf %p, %q : f32
      linalg.yield %r : f32
    }
    return
  }
}
