// Sum: out[0] += sum_k x[k] over 1024 f32.
#v = affine_map<(k) -> (k)>
#s = affine_map<(k) -> (0)>
module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    linalg.generic {indexing_maps = [#v, #s], iterator_types = ["reduction"]}
        ins(%x : memref<1024xf32>) outs(%out : memref<1xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}
