// Jacobi-2d (f64) over a 101 x 133 grid, 2 time steps: 99 interior rows, which no jam factor divides (the
// jammed loops keep a rest), enough work a sweep to be spread over cores.
module {
  func.func @jacobi_odd(%A: memref<101x133xf64> {neurojit.output}, %B: memref<101x133xf64> {neurojit.output}) {
    %c = arith.constant 0.2 : f64
    affine.for %t = 0 to 2 {
      affine.for %i = 1 to 100 {
        affine.for %j = 1 to 132 {
          %a0 = affine.load %A[%i, %j] : memref<101x133xf64>
          %a1 = affine.load %A[%i, %j - 1] : memref<101x133xf64>
          %a2 = affine.load %A[%i, %j + 1] : memref<101x133xf64>
          %a3 = affine.load %A[%i + 1, %j] : memref<101x133xf64>
          %a4 = affine.load %A[%i - 1, %j] : memref<101x133xf64>
          %s0 = arith.addf %a0, %a1 : f64
          %s1 = arith.addf %s0, %a2 : f64
          %s2 = arith.addf %s1, %a3 : f64
          %s3 = arith.addf %s2, %a4 : f64
          %r = arith.mulf %c, %s3 : f64
          affine.store %r, %B[%i, %j] : memref<101x133xf64>
        }
      }
      affine.for %i = 1 to 100 {
        affine.for %j = 1 to 132 {
          %b0 = affine.load %B[%i, %j] : memref<101x133xf64>
          %b1 = affine.load %B[%i, %j - 1] : memref<101x133xf64>
          %b2 = affine.load %B[%i, %j + 1] : memref<101x133xf64>
          %b3 = affine.load %B[%i + 1, %j] : memref<101x133xf64>
          %b4 = affine.load %B[%i - 1, %j] : memref<101x133xf64>
          %s0 = arith.addf %b0, %b1 : f64
          %s1 = arith.addf %s0, %b2 : f64
          %s2 = arith.addf %s1, %b3 : f64
          %s3 = arith.addf %s2, %b4 : f64
          %r = arith.mulf %c, %s3 : f64
          affine.store %r, %A[%i, %j] : memref<101x133xf64>
        }
      }
    }
    return
  }
}
