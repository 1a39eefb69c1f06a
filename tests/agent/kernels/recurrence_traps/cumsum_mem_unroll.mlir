// running sum of two inputs, stored every step: o[i] = o[i-1] + a[i] + b[i] through iter_args
module {
  func.func @k(%a: memref<37xf64>, %b: memref<37xf64>, %o: memref<37xf64> {neurojit.output}) {
    %z = arith.constant 0.0 : f64
    affine.for %i = 1 to 37 {
      %p = affine.load %o[%i - 1] : memref<37xf64>
      %x = affine.load %a[%i] : memref<37xf64>
      %y = affine.load %b[%i] : memref<37xf64>
      %s1 = arith.addf %p, %x : f64
      %s2 = arith.addf %s1, %y : f64
      affine.store %s2, %o[%i] : memref<37xf64>
      affine.yield
    }
    return
  }
}
