// per row: the sum of squares of A[i, 1..37], every row's sum started from one zero
module {
  func.func @k(%A: memref<40x40xf64>, %y: memref<40xf64> {neurojit.output}) {
    %z = arith.constant 0.0 : f64
    affine.for %i = 0 to 37 {
      %s = affine.for %k = 1 to 38 iter_args(%a = %z) -> f64 {
        %v = affine.load %A[%i, %k] : memref<40x40xf64>
        %v2 = arith.mulf %v, %v : f64
        %n = arith.addf %a, %v2 : f64
        affine.yield %n : f64
      }
      affine.store %s, %y[%i] : memref<40xf64>
    }
    return
  }
}
