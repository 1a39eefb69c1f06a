module {
  func.func @k(%a: memref<8x37xf64>, %o: memref<8x37xf64> {neurojit.output}) {
    %z = arith.constant 0.0 : f64
    %one = arith.constant 1.5 : f64
    %c1 = arith.constant 0.3 : f64
    %c2 = arith.constant 0.2 : f64
    affine.for %r = 0 to 8 {
      %res:2 = affine.for %i = 0 to 37 iter_args(%y1 = %z, %y2 = %z) -> (f64, f64) {
        %x = affine.load %a[%r, %i] : memref<8x37xf64>
        %m1 = arith.mulf %c1, %y1 : f64
        %m2 = arith.mulf %c2, %y2 : f64
        %s1 = arith.addf %x, %m2 : f64
        %s2 = arith.addf %s1, %m1 : f64
        %s3 = arith.addf %s2, %x : f64
        %k1 = arith.mulf %y1, %one : f64
        affine.store %s3, %o[%r, %i] : memref<8x37xf64>
        affine.yield %s3, %k1 : f64, f64
      }
    }
    return
  }
}
