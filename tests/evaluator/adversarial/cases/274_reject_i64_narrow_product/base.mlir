#id = affine_map<(d0) -> (d0)>
module {
  func.func @imul(%x: memref<512xi64>, %y: memref<512xi64>, %out: memref<512xi64>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<512xi64>, memref<512xi64>) outs(%out : memref<512xi64>) {
    ^bb0(%a: i64, %b: i64, %o: i64):
      %m = arith.muli %a, %b : i64
      %s = arith.addi %m, %o : i64
      linalg.yield %s : i64
    }
    return
  }
}
