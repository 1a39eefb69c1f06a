module {
  func.func @k(%a: memref<37xf64>, %b: memref<37xi32>, %o: memref<37xf64> {neurojit.output}, %oi: memref<37xi32> {neurojit.output}) {
    %z = arith.constant 0.0 : f64
    %zi = arith.constant 0 : i32
    %c0 = arith.constant 0 : index
    %r:3 = affine.for %i = 0 to 37 iter_args(%s = %z, %t = %zi, %n = %c0) -> (f64, i32, index) {
      %x = affine.load %a[%i] : memref<37xf64>
      %y = affine.load %b[%i] : memref<37xi32>
      %x2 = arith.mulf %x, %x : f64
      %s1 = arith.addf %s, %x : f64
      %s2 = arith.addf %s1, %x2 : f64
      %t1 = arith.muli %t, %y : i32
      %t2 = arith.addi %t1, %y : i32
      %t3 = arith.addi %t2, %y overflow<nsw> : i32
      %n1 = arith.addi %n, %i : index
      %n2 = arith.addi %n1, %i : index
      %n3 = arith.muli %n2, %n2 : index
      affine.store %s2, %o[%i] : memref<37xf64>
      affine.store %t3, %oi[%i] : memref<37xi32>
      affine.yield %s2, %t3, %n2 : f64, i32, index
    }
    %ni = arith.index_cast %r#2 : index to i32
    affine.store %ni, %oi[0] : memref<37xi32>
    return
  }
}
