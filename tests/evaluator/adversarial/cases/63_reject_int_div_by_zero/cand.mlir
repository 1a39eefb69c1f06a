#id = affine_map<(d0) -> (d0)>
module {
  func.func @iadd(%x: memref<1000xi64>, %y: memref<1000xi64>, %out: memref<1000xi64>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xi64>, memref<1000xi64>) outs(%out : memref<1000xi64>) {
    ^bb0(%a: i64, %b: i64, %o: i64):
      %s = arith.addi %a, %b : i64
      %p = arith.muli %s, %b : i64
      %q = arith.divsi %p, %b : i64
      linalg.yield %q : i64
    }
    return
  }
}
