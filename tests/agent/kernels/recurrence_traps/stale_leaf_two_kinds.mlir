module {
  func.func @k(%a: memref<64xf64>, %b: memref<64xf64>, %o: memref<64xf64> {neurojit.output}) {
    %c1 = arith.constant 0.5 : f64
    %c2 = arith.constant 0.25 : f64
    %z = arith.constant 0.0 : f64
    %r = affine.for %i = 0 to 64 iter_args(%s = %z) -> f64 {
      %x = affine.load %a[%i] : memref<64xf64>
      %y = affine.load %b[%i] : memref<64xf64>
      %p = arith.mulf %s, %c1 : f64
      %p2 = arith.mulf %p, %c2 : f64
      %q = arith.addf %p2, %x : f64
      %q2 = arith.addf %q, %y : f64
      affine.store %q2, %o[%i] : memref<64xf64>
      affine.yield %q2 : f64
    }
    return
  }
}
