#id = affine_map<(d0) -> (d0)>
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf32>, memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %up = arith.constant 0x7B800000 : f32   // exactly 2^120
      %down = arith.constant 0x03800000 : f32 // exactly 2^-120
      %t = arith.mulf %a, %up : f32
      %m = arith.mulf %t, %b : f32
      %m2 = arith.mulf %m, %down : f32
      %s = arith.addf %m2, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}
