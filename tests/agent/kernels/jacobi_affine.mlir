// PolyBench jacobi-2d, one sweep each way: B = 0.2 * (5-point stencil of A), then A from B
module {
  func.func @jacobi(%A: memref<30x30xf32> {neurojit.output}, %B: memref<30x30xf32> {neurojit.output}) {
    %c = arith.constant 0.2 : f32
    affine.for %t = 0 to 3 {
      affine.for %i = 1 to 29 {
        affine.for %j = 1 to 29 {
          %a0 = affine.load %A[%i, %j] : memref<30x30xf32>
          %a1 = affine.load %A[%i, %j - 1] : memref<30x30xf32>
          %a2 = affine.load %A[%i, %j + 1] : memref<30x30xf32>
          %a3 = affine.load %A[%i + 1, %j] : memref<30x30xf32>
          %a4 = affine.load %A[%i - 1, %j] : memref<30x30xf32>
          %s1 = arith.addf %a0, %a1 : f32
          %s2 = arith.addf %s1, %a2 : f32
          %s3 = arith.addf %s2, %a3 : f32
          %s4 = arith.addf %s3, %a4 : f32
          %r = arith.mulf %c, %s4 : f32
          affine.store %r, %B[%i, %j] : memref<30x30xf32>
        }
      }
      affine.for %i = 1 to 29 {
        affine.for %j = 1 to 29 {
          %a0 = affine.load %B[%i, %j] : memref<30x30xf32>
          %a1 = affine.load %B[%i, %j - 1] : memref<30x30xf32>
          %a2 = affine.load %B[%i, %j + 1] : memref<30x30xf32>
          %a3 = affine.load %B[%i + 1, %j] : memref<30x30xf32>
          %a4 = affine.load %B[%i - 1, %j] : memref<30x30xf32>
          %s1 = arith.addf %a0, %a1 : f32
          %s2 = arith.addf %s1, %a2 : f32
          %s3 = arith.addf %s2, %a3 : f32
          %s4 = arith.addf %s3, %a4 : f32
          %r = arith.mulf %c, %s4 : f32
          affine.store %r, %A[%i, %j] : memref<30x30xf32>
        }
      }
    }
    return
  }
}
