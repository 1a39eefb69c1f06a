// out[i] = sum_j x[i, j], f32, 16x300, zero-filled first.
#in = affine_map<(i, j) -> (i, j)>
#out = affine_map<(i, j) -> (i)>
module {
  func.func @rowsum(%x: memref<16x300xf32>, %out: memref<16xf32>) {
    %zero = arith.constant 0.0 : f32
    linalg.fill ins(%zero : f32) outs(%out : memref<16xf32>)
    linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<16x300xf32>) outs(%out : memref<16xf32>) {
    ^bb0(%v: f32, %acc: f32):
      %s = arith.addf %acc, %v : f32
      linalg.yield %s : f32
    }
    return
  }
}
