// y[t, j] += sum_k A[k, j] for j in t+1 .. 19: the row loop's range is empty (its trip count negative) for t >= 20
module {
  func.func @tri_sums(%A: memref<16x20xf64>, %y: memref<24x20xf64> {neurojit.output}) {
    affine.for %t = 0 to 24 {
      affine.for %j = affine_map<(d0) -> (d0 + 1)>(%t) to 20 {
        %y0 = affine.load %y[%t, %j] : memref<24x20xf64>
        %s = affine.for %k = 0 to 16 iter_args(%a = %y0) -> f64 {
          %v = affine.load %A[%k, %j] : memref<16x20xf64>
          %n = arith.addf %a, %v : f64
          affine.yield %n : f64
        }
        affine.store %s, %y[%t, %j] : memref<24x20xf64>
      }
    }
    return
  }
}
