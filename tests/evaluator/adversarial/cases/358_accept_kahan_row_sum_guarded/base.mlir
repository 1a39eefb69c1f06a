// Row sums of a 64x256 f32 matrix, out overwritten.
#m = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
module {
  func.func @rowsum(%x: memref<64x256xf32>, %s: memref<64xf32>) {
    %z = arith.constant 0.0 : f32
    linalg.fill ins(%z : f32) outs(%s : memref<64xf32>)
    linalg.generic {indexing_maps = [#m, #r], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<64x256xf32>) outs(%s : memref<64xf32>) {
    ^bb0(%v: f32, %a: f32):
      %t = arith.addf %a, %v : f32
      linalg.yield %t : f32
    }
    return
  }
}
