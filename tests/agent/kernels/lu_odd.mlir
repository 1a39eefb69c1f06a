// PolyBench lu: in-place LU decomposition without pivoting (L unit lower below the diagonal, U on and above); N=37 (odd: every jam leaves a rest), f64
module {
  func.func @lu(%A: memref<37x37xf64>) {
    affine.for %i = 0 to 37 {
      affine.for %j = 0 to affine_map<(d0) -> (d0)>(%i) {
        affine.for %k = 0 to affine_map<(d0) -> (d0)>(%j) {
          %aik = affine.load %A[%i, %k] : memref<37x37xf64>
          %akj = affine.load %A[%k, %j] : memref<37x37xf64>
          %aij = affine.load %A[%i, %j] : memref<37x37xf64>
          %p = arith.mulf %aik, %akj : f64
          %d = arith.subf %aij, %p : f64
          affine.store %d, %A[%i, %j] : memref<37x37xf64>
        }
        %aij = affine.load %A[%i, %j] : memref<37x37xf64>
        %ajj = affine.load %A[%j, %j] : memref<37x37xf64>
        %q = arith.divf %aij, %ajj : f64
        affine.store %q, %A[%i, %j] : memref<37x37xf64>
      }
      affine.for %j = affine_map<(d0) -> (d0)>(%i) to 37 {
        affine.for %k = 0 to affine_map<(d0) -> (d0)>(%i) {
          %aik = affine.load %A[%i, %k] : memref<37x37xf64>
          %akj = affine.load %A[%k, %j] : memref<37x37xf64>
          %aij = affine.load %A[%i, %j] : memref<37x37xf64>
          %p = arith.mulf %aik, %akj : f64
          %d = arith.subf %aij, %p : f64
          affine.store %d, %A[%i, %j] : memref<37x37xf64>
        }
      }
    }
    return
  }
}
