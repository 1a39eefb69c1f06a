// y[i] = sum_k (A[i,k] + i): each step of row i's sum adds the row's index
module {
  func.func @k(%A: memref<37x40xf64>, %y: memref<37xf64> {neurojit.output}) {
    %z = arith.constant 0.0 : f64
    affine.for %i = 0 to 37 {
      %ii = arith.index_cast %i : index to i64
      %fi = arith.sitofp %ii : i64 to f64
      %s = affine.for %k = 0 to 40 iter_args(%a = %z) -> f64 {
        %v = affine.load %A[%i, %k] : memref<37x40xf64>
        %n = arith.addf %a, %v : f64
        %m = arith.addf %n, %fi : f64
        affine.yield %m : f64
      }
      affine.store %s, %y[%i] : memref<37xf64>
    }
    return
  }
}
