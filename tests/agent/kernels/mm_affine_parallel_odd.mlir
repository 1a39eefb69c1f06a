// a matmul whose output loops are one affine.parallel (as affine-parallelize writes them), odd sizes
module {
  func.func @mm(%A: memref<37x29xf32>, %B: memref<29x45xf32>, %C: memref<37x45xf32>) {
    affine.parallel (%i, %j) = (0, 0) to (37, 45) {
      affine.for %k = 0 to 29 {
        %a = affine.load %A[%i, %k] : memref<37x29xf32>
        %b = affine.load %B[%k, %j] : memref<29x45xf32>
        %c = affine.load %C[%i, %j] : memref<37x45xf32>
        %p = arith.mulf %a, %b : f32
        %s = arith.addf %c, %p : f32
        affine.store %s, %C[%i, %j] : memref<37x45xf32>
      }
    }
    return
  }
}
