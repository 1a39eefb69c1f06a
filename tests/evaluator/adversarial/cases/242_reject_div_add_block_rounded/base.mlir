// out = x / y + x
#id = affine_map<(i, j) -> (i, j)>
#z = affine_map<(i, j) -> ()>
module {
  func.func @divadd(%x: memref<64x128xf32>, %y: memref<64x128xf32>, %out: memref<64x128xf32>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%x, %y : memref<64x128xf32>, memref<64x128xf32>) outs(%out : memref<64x128xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %q = arith.divf %a, %b : f32
      %s = arith.addf %q, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}
