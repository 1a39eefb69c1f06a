// PolyBench-style matrix product with the reduction innermost: D[i][j] = sum_k A[i][k] * B[k][j]
module {
  func.func @mm_ijk(%A: memref<180x210xf32>, %B: memref<210x190xf32>, %D: memref<180x190xf32>) {
    %zero = arith.constant 0.0 : f32
    affine.for %i = 0 to 180 {
      affine.for %j = 0 to 190 {
        affine.store %zero, %D[%i, %j] : memref<180x190xf32>
        affine.for %k = 0 to 210 {
          %a = affine.load %A[%i, %k] : memref<180x210xf32>
          %b = affine.load %B[%k, %j] : memref<210x190xf32>
          %p = arith.mulf %a, %b : f32
          %d = affine.load %D[%i, %j] : memref<180x190xf32>
          %s = arith.addf %d, %p : f32
          affine.store %s, %D[%i, %j] : memref<180x190xf32>
        }
      }
    }
    return
  }
}
