// Elementwise: out = x * y + x over 4096 f32 (overwrites out).
#m = affine_map<(i) -> (i)>
module {
  func.func @ew(%x: memref<4096xf32>, %y: memref<4096xf32>, %out: memref<4096xf32>) {
    linalg.generic {indexing_maps = [#m, #m, #m], iterator_types = ["parallel"]}
        ins(%x, %y : memref<4096xf32>, memref<4096xf32>) outs(%out : memref<4096xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %p, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}
