module {
  func.func @k(%a: memref<37x4xf64>, %o: memref<37x4xf64> {neurojit.output}) {
    %z = arith.constant dense<0.0> : vector<4xf64>
    %h = arith.constant dense<0.5> : vector<4xf64>
    %c0 = arith.constant 0 : index
    %r = affine.for %i = 0 to 37 iter_args(%s = %z) -> vector<4xf64> {
      %x = vector.load %a[%i, %c0] : memref<37x4xf64>, vector<4xf64>
      %m = arith.mulf %x, %h : vector<4xf64>
      %s1 = arith.addf %x, %s : vector<4xf64>
      %s2 = arith.addf %s1, %m : vector<4xf64>
      %d = arith.divf %s2, %h : vector<4xf64>
      vector.store %d, %o[%i, %c0] : memref<37x4xf64>, vector<4xf64>
      affine.yield %d : vector<4xf64>
    }
    return
  }
}
