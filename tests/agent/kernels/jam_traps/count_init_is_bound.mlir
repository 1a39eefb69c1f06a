// per row i: n + (how many of A[i, 0..n) are positive), n read at run time (0..31)
module {
  func.func @k(%nn: memref<1xi64>, %A: memref<37x40xf64>, %cnt: memref<37xi64> {neurojit.output}) {
    %z = arith.constant 0.0 : f64
    %c1 = arith.constant 1 : index
    %m31 = arith.constant 31 : i64
    %n64 = affine.load %nn[0] : memref<1xi64>
    %nm = arith.andi %n64, %m31 : i64
    %n = arith.index_cast %nm : i64 to index
    affine.for %i = 0 to 37 {
      %f = affine.for %j = 0 to affine_map<()[s0] -> (s0)>()[%n] iter_args(%c = %n) -> index {
        %x = affine.load %A[%i, %j] : memref<37x40xf64>
        %pos = arith.cmpf ogt, %x, %z : f64
        %c2 = arith.addi %c, %c1 : index
        %nc = arith.select %pos, %c2, %c : index
        affine.yield %nc : index
      }
      %fv = arith.index_cast %f : index to i64
      affine.store %fv, %cnt[%i] : memref<37xi64>
    }
    return
  }
}
