// BLAS trsm (left, lower, no transpose) as a user writes it in affine loops: X = L^-1 B for 193 right-hand sides,
// f64, L's diagonal shifted by 128 (well conditioned). The rows depend on the rows before them; the columns on
// nothing but themselves.
func.func @trsm(%L: memref<131x131xf64>, %B: memref<131x193xf64>, %X: memref<131x193xf64> {neurojit.output}) {
  %big = arith.constant 128.0 : f64
  affine.for %i = 0 to 131 {
    affine.for %j = 0 to 193 {
      %b = affine.load %B[%i, %j] : memref<131x193xf64>
      affine.store %b, %X[%i, %j] : memref<131x193xf64>
    }
    affine.for %k = 0 to affine_map<(d0) -> (d0)>(%i) {
      %l = affine.load %L[%i, %k] : memref<131x131xf64>
      affine.for %j = 0 to 193 {
        %xk = affine.load %X[%k, %j] : memref<131x193xf64>
        %xi = affine.load %X[%i, %j] : memref<131x193xf64>
        %p = arith.mulf %l, %xk : f64
        %s = arith.subf %xi, %p : f64
        affine.store %s, %X[%i, %j] : memref<131x193xf64>
      }
    }
    %d0 = affine.load %L[%i, %i] : memref<131x131xf64>
    %d = arith.addf %d0, %big : f64
    affine.for %j = 0 to 193 {
      %xi = affine.load %X[%i, %j] : memref<131x193xf64>
      %q = arith.divf %xi, %d : f64
      affine.store %q, %X[%i, %j] : memref<131x193xf64>
    }
  }
  return
}
