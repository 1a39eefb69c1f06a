// a band of 3 columns per step t: y[t, j] = y[t, j] + sum_k A[k, j] for j in t .. t+2
module {
  func.func @k(%A: memref<16x20xf64>, %y: memref<18x20xf64> {neurojit.output}) {
    affine.for %t = 0 to 17 {
      affine.for %j = affine_map<(d0) -> (d0)>(%t) to affine_map<(d0) -> (d0 + 3)>(%t) {
        %y0 = affine.load %y[%t, %j] : memref<18x20xf64>
        %s = affine.for %k = 1 to 16 iter_args(%a = %y0) -> f64 {
          %v = affine.load %A[%k, %j] : memref<16x20xf64>
          %n = arith.addf %a, %v : f64
          affine.yield %n : f64
        }
        affine.store %s, %y[%t, %j] : memref<18x20xf64>
      }
    }
    return
  }
}
