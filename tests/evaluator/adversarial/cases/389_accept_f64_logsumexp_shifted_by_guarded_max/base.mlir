// Baseline: out[i] = log(sum_j exp(x[i][j])), f64, 32 x 64, naive (no max shift).
#in = affine_map<(d0, d1) -> (d0, d1)>
#o = affine_map<(d0, d1) -> (d0)>
#id = affine_map<(d0) -> (d0)>
module {
  func.func @lse(%x: memref<32x64xf64>, %out: memref<32xf64>) {
    %z = arith.constant 0.0 : f64
    %s = memref.alloc() : memref<32xf64>
    linalg.fill ins(%z : f64) outs(%s : memref<32xf64>)
    linalg.generic {indexing_maps = [#in, #o], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<32x64xf64>) outs(%s : memref<32xf64>) {
    ^bb0(%a: f64, %acc: f64):
      %e = math.exp %a : f64
      %r = arith.addf %acc, %e : f64
      linalg.yield %r : f64
    }
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%s : memref<32xf64>) outs(%out : memref<32xf64>) {
    ^bb0(%a: f64, %o: f64):
      %l = math.log %a : f64
      linalg.yield %l : f64
    }
    memref.dealloc %s : memref<32xf64>
    return
  }
}
