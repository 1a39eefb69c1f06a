// y[i] = i + the sum of row i, the sum started from the row's own index
module {
  func.func @iv_sums(%A: memref<37x40xi64>, %y: memref<37xi64> {neurojit.output}) {
    affine.for %i = 0 to 37 {
      %s = affine.for %k = 0 to 40 iter_args(%a = %i) -> index {
        %v = affine.load %A[%i, %k] : memref<37x40xi64>
        %w = arith.index_cast %v : i64 to index
        %n = arith.addi %a, %w : index
        affine.yield %n : index
      }
      %r = arith.index_cast %s : index to i64
      affine.store %r, %y[%i] : memref<37xi64>
    }
    return
  }
}
