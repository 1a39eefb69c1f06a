// The stable form as torch writes it: m = max_j x, taken as 0 where it is infinite, out = m + log(sum_j exp(x - m)).
// Equal within rounding wherever the naive sum is finite and normal; finite (and right) where the baseline's exp
// overflows; Inf or -Inf where a row's maximum is (Inf - Inf would be NaN)
#in = affine_map<(d0, d1) -> (d0, d1)>
#o = affine_map<(d0, d1) -> (d0)>
#id = affine_map<(d0) -> (d0)>
module {
  func.func @lse(%x: memref<32x64xf64>, %out: memref<32xf64>) {
    %z = arith.constant 0.0 : f64
    %ninf = arith.constant 0xFFF0000000000000 : f64
    %m = memref.alloc() : memref<32xf64>
    %s = memref.alloc() : memref<32xf64>
    linalg.fill ins(%ninf : f64) outs(%m : memref<32xf64>)
    linalg.fill ins(%z : f64) outs(%s : memref<32xf64>)
    linalg.generic {indexing_maps = [#in, #o], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<32x64xf64>) outs(%m : memref<32xf64>) {
    ^bb0(%a: f64, %acc: f64):
      %r = arith.maximumf %acc, %a : f64
      linalg.yield %r : f64
    }
    %inf = arith.constant 0x7FF0000000000000 : f64
    linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]} outs(%m : memref<32xf64>) {
    ^bb0(%mx: f64):
      %a = math.absf %mx : f64
      %isinf = arith.cmpf oeq, %a, %inf : f64
      %g = arith.select %isinf, %z, %mx : f64
      linalg.yield %g : f64
    }
    linalg.generic {indexing_maps = [#in, #o, #o], iterator_types = ["parallel", "reduction"]}
        ins(%x, %m : memref<32x64xf64>, memref<32xf64>) outs(%s : memref<32xf64>) {
    ^bb0(%a: f64, %mx: f64, %acc: f64):
      %d = arith.subf %a, %mx : f64
      %e = math.exp %d : f64
      %r = arith.addf %acc, %e : f64
      linalg.yield %r : f64
    }
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%s, %m : memref<32xf64>, memref<32xf64>) outs(%out : memref<32xf64>) {
    ^bb0(%a: f64, %mx: f64, %o: f64):
      %l = math.log %a : f64
      %r = arith.addf %mx, %l : f64
      linalg.yield %r : f64
    }
    memref.dealloc %m : memref<32xf64>
    memref.dealloc %s : memref<32xf64>
    return
  }
}
