// Row product: out[i] *= prod_j x[i, j], x 16x64 f32 (a product accumulator, started from np.ones).
#x = affine_map<(i, j) -> (i, j)>
#o = affine_map<(i, j) -> (i)>
module {
  func.func @rowprod(%x: memref<16x64xf32>, %out: memref<16xf32>) {
    linalg.generic {indexing_maps = [#x, #o], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<16x64xf32>) outs(%out : memref<16xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %m = arith.mulf %acc, %a : f32
      linalg.yield %m : f32
    }
    return
  }
}
