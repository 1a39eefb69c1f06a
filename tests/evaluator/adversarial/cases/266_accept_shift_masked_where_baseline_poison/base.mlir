#id = affine_map<(d0) -> (d0)>
module {
  func.func @iew(%x: memref<1000xi32>, %y: memref<1000xi32>, %out: memref<1000xi32>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xi32>, memref<1000xi32>) outs(%out : memref<1000xi32>) {
    ^bb0(%a: i32, %b: i32, %o: i32):
      %s = arith.shli %a, %b : i32
      linalg.yield %s : i32
    }
    return
  }
}
