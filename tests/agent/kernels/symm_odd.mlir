// PolyBench symm: C = alpha*A*B + beta*C, A symmetric (its lower triangle read), M=37 N=45, odd sizes
module {
  func.func @symm(%A: memref<37x37xf32>, %B: memref<37x45xf32>, %C: memref<37x45xf32>) {
    %alpha = arith.constant 1.5 : f32
    %beta = arith.constant 1.2 : f32
    %zero = arith.constant 0.0 : f32
    affine.for %i = 0 to 37 {
      affine.for %j = 0 to 45 {
        %bij = affine.load %B[%i, %j] : memref<37x45xf32>
        %ab = arith.mulf %alpha, %bij : f32
        %t2 = affine.for %k = 0 to affine_map<(d0) -> (d0)>(%i) iter_args(%acc = %zero) -> f32 {
          %aik = affine.load %A[%i, %k] : memref<37x37xf32>
          %c = affine.load %C[%k, %j] : memref<37x45xf32>
          %p = arith.mulf %ab, %aik : f32
          %cn = arith.addf %c, %p : f32
          affine.store %cn, %C[%k, %j] : memref<37x45xf32>
          %bkj = affine.load %B[%k, %j] : memref<37x45xf32>
          %q = arith.mulf %bkj, %aik : f32
          %s = arith.addf %acc, %q : f32
          affine.yield %s : f32
        }
        %cij = affine.load %C[%i, %j] : memref<37x45xf32>
        %aii = affine.load %A[%i, %i] : memref<37x37xf32>
        %x = arith.mulf %beta, %cij : f32
        %y = arith.mulf %ab, %aii : f32
        %z = arith.mulf %alpha, %t2 : f32
        %xy = arith.addf %x, %y : f32
        %r = arith.addf %xy, %z : f32
        affine.store %r, %C[%i, %j] : memref<37x45xf32>
      }
    }
    return
  }
}
