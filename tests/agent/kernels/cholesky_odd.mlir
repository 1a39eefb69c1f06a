// PolyBench cholesky (N=37, odd), in place on the lower triangle of A
module {
  func.func @cholesky(%A: memref<37x37xf64> {neurojit.output}) {
    affine.for %i = 0 to 37 {
      affine.for %j = 0 to affine_map<(d0) -> (d0)>(%i) {
        affine.for %k = 0 to affine_map<(d0) -> (d0)>(%j) {
          %aik = affine.load %A[%i, %k] : memref<37x37xf64>
          %ajk = affine.load %A[%j, %k] : memref<37x37xf64>
          %aij = affine.load %A[%i, %j] : memref<37x37xf64>
          %p = arith.mulf %aik, %ajk : f64
          %d = arith.subf %aij, %p : f64
          affine.store %d, %A[%i, %j] : memref<37x37xf64>
        }
        %aij = affine.load %A[%i, %j] : memref<37x37xf64>
        %ajj = affine.load %A[%j, %j] : memref<37x37xf64>
        %q = arith.divf %aij, %ajj : f64
        affine.store %q, %A[%i, %j] : memref<37x37xf64>
      }
      affine.for %k = 0 to affine_map<(d0) -> (d0)>(%i) {
        %aik = affine.load %A[%i, %k] : memref<37x37xf64>
        %aii = affine.load %A[%i, %i] : memref<37x37xf64>
        %p = arith.mulf %aik, %aik : f64
        %d = arith.subf %aii, %p : f64
        affine.store %d, %A[%i, %i] : memref<37x37xf64>
      }
      %aii = affine.load %A[%i, %i] : memref<37x37xf64>
      %s = math.sqrt %aii : f64
      affine.store %s, %A[%i, %i] : memref<37x37xf64>
    }
    return
  }
}
