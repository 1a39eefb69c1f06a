// Baseline: out = max(x*y + x, 0) in f64 (a ReLU written with arith.maximumf)
#id = affine_map<(d0) -> (d0)>
module {
  func.func @relu(%x: memref<1000xf64>, %y: memref<1000xf64>, %out: memref<1000xf64>) {
    %z = arith.constant 0.0 : f64
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf64>, memref<1000xf64>) outs(%out : memref<1000xf64>) {
    ^bb0(%a: f64, %b: f64, %o: f64):
      %m = arith.mulf %a, %b : f64
      %s = arith.addf %m, %a : f64
      %r = arith.maximumf %s, %z : f64
      linalg.yield %r : f64
    }
    return
  }
}
