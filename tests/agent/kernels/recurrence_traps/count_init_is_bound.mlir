// c = n + (how many of a[0..n) are positive), n read at run time (0..31); then a smoothing recurrence
module {
  func.func @k(%nn: memref<1xi64>, %a: memref<64xf64>, %cnt: memref<1xi64> {neurojit.output}, %o: memref<64xf64> {neurojit.output}) {
    %z = arith.constant 0.0 : f64
    %h = arith.constant 0.5 : f64
    %c1 = arith.constant 1 : index
    %m31 = arith.constant 31 : i64
    %n64 = affine.load %nn[0] : memref<1xi64>
    %nm = arith.andi %n64, %m31 : i64
    %n = arith.index_cast %nm : i64 to index
    %f = affine.for %j = 0 to affine_map<()[s0] -> (s0)>()[%n] iter_args(%c = %n) -> index {
      %x = affine.load %a[%j] : memref<64xf64>
      %pos = arith.cmpf ogt, %x, %z : f64
      %c2 = arith.addi %c, %c1 : index
      %nc = arith.select %pos, %c2, %c : index
      affine.yield %nc : index
    }
    %fv = arith.index_cast %f : index to i64
    affine.store %fv, %cnt[0] : memref<1xi64>
    affine.for %j = 1 to 64 {
      %p = affine.load %o[%j - 1] : memref<64xf64>
      %x = affine.load %a[%j] : memref<64xf64>
      %s1 = arith.addf %p, %x : f64
      %s2 = arith.addf %s1, %x : f64
      %d = arith.mulf %s2, %h : f64
      affine.store %d, %o[%j] : memref<64xf64>
    }
    return
  }
}
