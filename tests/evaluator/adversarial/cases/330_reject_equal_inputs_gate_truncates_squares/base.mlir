// Dot product: out[0] += sum_k x[k] * y[k] over 1024 f32.
#v = affine_map<(k) -> (k)>
#s = affine_map<(k) -> (0)>
module {
  func.func @dot(%x: memref<1024xf32>, %y: memref<1024xf32>, %out: memref<1xf32>) {
    linalg.generic {indexing_maps = [#v, #v, #s], iterator_types = ["reduction"]}
        ins(%x, %y : memref<1024xf32>, memref<1024xf32>) outs(%out : memref<1xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    return
  }
}
