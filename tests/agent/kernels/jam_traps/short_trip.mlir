// three rows' sums: fewer rows than a vector of f64 copies
module {
  func.func @short_sums(%A: memref<3x40xf64>, %y: memref<3xf64> {neurojit.output}) {
    affine.for %i = 0 to 3 {
      %y0 = affine.load %y[%i] : memref<3xf64>
      %s = affine.for %k = 0 to 40 iter_args(%a = %y0) -> f64 {
        %v = affine.load %A[%i, %k] : memref<3x40xf64>
        %n = arith.addf %a, %v : f64
        affine.yield %n : f64
      }
      affine.store %s, %y[%i] : memref<3xf64>
    }
    return
  }
}
