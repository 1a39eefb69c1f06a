// PolyBench-style matrix product (reduction innermost, D[i][j] = sum_k A[i][k] * B[k][j]); 12 columns: jammable by 2, 3, 6 (the common divisors of 12 and 18)
module {
  func.func @mm_affine_jam(%A: memref<13x18xf32>, %B: memref<18x12xf32>, %D: memref<13x12xf32>) {
    %zero = arith.constant 0.0 : f32
    affine.for %i = 0 to 13 {
      affine.for %j = 0 to 12 {
        affine.store %zero, %D[%i, %j] : memref<13x12xf32>
        affine.for %k = 0 to 18 {
          %a = affine.load %A[%i, %k] : memref<13x18xf32>
          %b = affine.load %B[%k, %j] : memref<18x12xf32>
          %p = arith.mulf %a, %b : f32
          %d = affine.load %D[%i, %j] : memref<13x12xf32>
          %s = arith.addf %d, %p : f32
          affine.store %s, %D[%i, %j] : memref<13x12xf32>
        }
      }
    }
    return
  }
}
