#v = affine_map<(i) -> (i)>
#s = affine_map<(i) -> ()>
module {
  func.func @dot(%a: memref<100xf32>, %b: memref<100xf32>, %o: memref<f32>) {
    linalg.generic {indexing_maps = [#v, #v, #s], iterator_types = ["reduction"]}
      ins(%a, %b : memref<100xf32>, memref<100xf32>) outs(%o : memref<f32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    return
  }
}
