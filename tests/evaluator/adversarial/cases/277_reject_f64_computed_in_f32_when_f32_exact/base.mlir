// Baseline: elementwise out[i] = x[i] * y[i] + x[i] over 1000 f64 elements. out is the output (last argument).
#id = affine_map<(d0) -> (d0)>
module {
  func.func @ew(%x: memref<1000xf64>, %y: memref<1000xf64>, %out: memref<1000xf64>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf64>, memref<1000xf64>) outs(%out : memref<1000xf64>) {
    ^bb0(%a: f64, %b: f64, %o: f64):
      %m = arith.mulf %a, %b : f64
      %s = arith.addf %m, %a : f64
      linalg.yield %s : f64
    }
    return
  }
}
