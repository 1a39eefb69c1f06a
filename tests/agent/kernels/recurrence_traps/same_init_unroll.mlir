// two running sums of one row, both started from the same zero: o[i] = s(i), p[i] = t(i)
module {
  func.func @k(%a: memref<37xf64>, %b: memref<37xf64>, %o: memref<37xf64> {neurojit.output}, %q: memref<37xf64> {neurojit.output}) {
    %z = arith.constant 0.0 : f64
    %h = arith.constant 0.5 : f64
    %r:2 = affine.for %i = 0 to 37 iter_args(%s = %z, %t = %z) -> (f64, f64) {
      %x = affine.load %a[%i] : memref<37xf64>
      %y = affine.load %b[%i] : memref<37xf64>
      %m = arith.mulf %s, %h : f64
      %s1 = arith.addf %x, %m : f64
      %t1 = arith.addf %t, %y : f64
      affine.store %s1, %o[%i] : memref<37xf64>
      affine.store %t1, %q[%i] : memref<37xf64>
      affine.yield %s1, %t1 : f64, f64
    }
    return
  }
}
