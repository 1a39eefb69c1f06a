// a running sum kept in a scratch global, written and read through two get_global of it
module {
  memref.global "private" @acc : memref<1xf64> = dense<0.0>
  func.func @k(%a: memref<37xf64>, %o: memref<37xf64> {neurojit.output}) {
    %z = arith.constant 0.0 : f64
    %h = arith.constant 3.0 : f64
    %g1 = memref.get_global @acc : memref<1xf64>
    %g2 = memref.get_global @acc : memref<1xf64>
    affine.store %z, %g1[0] : memref<1xf64>
    affine.for %i = 1 to 37 {
      %v = affine.load %g2[0] : memref<1xf64>
      %p = affine.load %o[%i - 1] : memref<37xf64>
      %x = affine.load %a[%i] : memref<37xf64>
      %s1 = arith.addf %p, %v : f64
      %s2 = arith.addf %s1, %x : f64
      %d = arith.divf %s2, %h : f64
      affine.store %d, %g1[0] : memref<1xf64>
      affine.store %d, %o[%i] : memref<37xf64>
    }
    return
  }
}
