// o[i] = o[i-1] + a[i] + b[i] (a running sum), p[i] = o[i] + c[i] + c[i-1] (a smoothed copy of it)
module {
  func.func @k(%a: memref<37xf64>, %b: memref<37xf64>, %c: memref<37xf64>, %o: memref<37xf64> {neurojit.output}, %p: memref<37xf64> {neurojit.output}) {
    affine.for %i = 1 to 37 {
      %prev = affine.load %o[%i - 1] : memref<37xf64>
      %x = affine.load %a[%i] : memref<37xf64>
      %y = affine.load %b[%i] : memref<37xf64>
      %s1 = arith.addf %prev, %x : f64
      %s2 = arith.addf %s1, %y : f64
      affine.store %s2, %o[%i] : memref<37xf64>
      %u = affine.load %c[%i] : memref<37xf64>
      %v = affine.load %c[%i - 1] : memref<37xf64>
      %t1 = arith.addf %s2, %u : f64
      %t2 = arith.addf %t1, %v : f64
      affine.store %t2, %p[%i] : memref<37xf64>
    }
    return
  }
}
