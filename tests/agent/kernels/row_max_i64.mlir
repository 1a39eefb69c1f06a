// Row maximum of i64 (a combiner the vectoriser knows, an integer type), starting from the output's contents.
#in = affine_map<(i, j) -> (i, j)>
#out = affine_map<(i, j) -> (i)>
module {
  func.func @row_max_i64(%x: memref<23x37xi64>, %out: memref<23xi64>) {
    linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<23x37xi64>) outs(%out : memref<23xi64>) {
    ^bb0(%v: i64, %acc: i64):
      %m = arith.maxsi %acc, %v : i64
      linalg.yield %m : i64
    }
    return
  }
}
