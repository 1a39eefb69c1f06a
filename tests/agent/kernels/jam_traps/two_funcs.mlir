// y = A x over 67 rows, y cleared first by a private helper
module {
  func.func private @clear(%y: memref<67xf64>) {
    %z = arith.constant 0.0 : f64
    affine.for %i = 0 to 67 {
      affine.store %z, %y[%i] : memref<67xf64>
    }
    return
  }
  func.func @mv_helper(%A: memref<67x45xf64>, %x: memref<45xf64>, %y: memref<67xf64> {neurojit.output}) {
    func.call @clear(%y) : (memref<67xf64>) -> ()
    affine.for %i = 0 to 67 {
      %y0 = affine.load %y[%i] : memref<67xf64>
      %s = affine.for %k = 0 to 45 iter_args(%acc = %y0) -> f64 {
        %a = affine.load %A[%i, %k] : memref<67x45xf64>
        %b = affine.load %x[%k] : memref<45xf64>
        %p = arith.mulf %a, %b : f64
        %n = arith.addf %acc, %p : f64
        affine.yield %n : f64
      }
      affine.store %s, %y[%i] : memref<67xf64>
    }
    return
  }
}
