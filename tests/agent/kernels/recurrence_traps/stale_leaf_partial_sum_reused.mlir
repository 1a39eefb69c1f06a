module {
  func.func @k(%a: memref<64xf64>, %b: memref<64xf64>, %o: memref<64xf64> {neurojit.output}, %o2: memref<64xf64> {neurojit.output}) {
    %z = arith.constant 0.0 : f64
    %r = affine.for %i = 0 to 64 iter_args(%s = %z) -> f64 {
      %x = affine.load %a[%i] : memref<64xf64>
      %y = affine.load %b[%i] : memref<64xf64>
      %t = arith.addf %s, %x : f64
      %t2 = arith.addf %t, %y : f64
      %u = arith.addf %t2, %x : f64
      %u2 = arith.addf %u, %y : f64
      affine.store %t2, %o2[%i] : memref<64xf64>
      affine.store %u2, %o[%i] : memref<64xf64>
      affine.yield %t2 : f64
    }
    return
  }
}
