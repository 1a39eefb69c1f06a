#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (j, k)>
#c = affine_map<(i, j, k) -> (i, j)>
module {
  func.func @mmt(%A: memref<13x11xf64>, %B: memref<21x11xf64>, %C: memref<13x21xf64>) {
    linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%A, %B : memref<13x11xf64>, memref<21x11xf64>) outs(%C : memref<13x21xf64>) {
    ^bb0(%p: f64, %q: f64, %acc: f64):
      %m = arith.mulf %p, %q : f64
      %s = arith.addf %acc, %m : f64
      linalg.yield %s : f64
    }
    return
  }
}
