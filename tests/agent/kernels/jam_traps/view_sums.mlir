// B[i, 0] += A[i, k] * B[i + 1, 0], the second read through a flat view of B: iteration i reads what i + 1 writes
module {
  func.func @view_sums(%A: memref<8x16xf64>, %B: memref<9x8xf64> {neurojit.output}) {
    %v = memref.collapse_shape %B [[0, 1]] : memref<9x8xf64> into memref<72xf64>
    affine.for %i = 0 to 8 {
      affine.for %k = 0 to 16 {
        %a = affine.load %A[%i, %k] : memref<8x16xf64>
        %b = affine.load %v[%i * 8 + 8 + %k floordiv 16] : memref<72xf64>
        %c = affine.load %B[%i, 0] : memref<9x8xf64>
        %p = arith.mulf %a, %b : f64
        %s = arith.addf %c, %p : f64
        affine.store %s, %B[%i, 0] : memref<9x8xf64>
      }
    }
    return
  }
}
