// PolyBench-style matrix product with the reduction innermost: D[i][j] = sum_k A[i][k] * B[k][j]
module {
  func.func @mm_affine_odd(%A: memref<13x19xf32>, %B: memref<19x17xf32>, %D: memref<13x17xf32>) {
    %zero = arith.constant 0.0 : f32
    affine.for %i = 0 to 13 {
      affine.for %j = 0 to 17 {
        affine.store %zero, %D[%i, %j] : memref<13x17xf32>
        affine.for %k = 0 to 19 {
          %a = affine.load %A[%i, %k] : memref<13x19xf32>
          %b = affine.load %B[%k, %j] : memref<19x17xf32>
          %p = arith.mulf %a, %b : f32
          %d = affine.load %D[%i, %j] : memref<13x17xf32>
          %s = arith.addf %d, %p : f32
          affine.store %s, %D[%i, %j] : memref<13x17xf32>
        }
      }
    }
    return
  }
}
