module {
  func.func @k(%A: memref<37x40xi64>, %y: memref<37xi64> {neurojit.output}) {
    %z = arith.constant 0 : i64
    affine.for %i = 0 to 37 {
      %i2 = arith.index_cast %i : index to i64
      %s = affine.for %k = 0 to 40 iter_args(%a = %z) -> i64 {
        %v = affine.load %A[%i, %k] : memref<37x40xi64>
        %n = arith.addi %a, %v : i64
        %m = arith.addi %n, %i2 : i64
        affine.yield %m : i64
      }
      affine.store %s, %y[%i] : memref<37xi64>
    }
    return
  }
}
