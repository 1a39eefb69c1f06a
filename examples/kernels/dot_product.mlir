// s += sum_i a[i] * b[i]
#v = affine_map<(i) -> (i)>
#s = affine_map<(i) -> ()>
module {
  func.func @dot(%a: memref<1048576xf32>, %b: memref<1048576xf32>, %s: memref<f32>) {
    linalg.generic {indexing_maps = [#v, #v, #s], iterator_types = ["reduction"]}
        ins(%a, %b : memref<1048576xf32>, memref<1048576xf32>) outs(%s : memref<f32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %r = arith.addf %acc, %m : f32
      linalg.yield %r : f32
    }
    return
  }
}
