// a smoothing recurrence that also returns the index of its last step (yielded as the loop's index)
module {
  func.func @k(%a: memref<37xf64>, %o: memref<37xf64> {neurojit.output}, %last: memref<1xi64> {neurojit.output}) {
    %h = arith.constant 0.5 : f64
    %c0 = arith.constant 0 : index
    %r = affine.for %i = 1 to 37 iter_args(%l = %c0) -> index {
      %p = affine.load %o[%i - 1] : memref<37xf64>
      %x = affine.load %a[%i] : memref<37xf64>
      %y = affine.load %a[%i - 1] : memref<37xf64>
      %s1 = arith.addf %p, %x : f64
      %s2 = arith.addf %s1, %y : f64
      %s3 = arith.mulf %s2, %h : f64
      affine.store %s3, %o[%i] : memref<37xf64>
      affine.yield %i : index
    }
    %ri = arith.index_cast %r : index to i64
    affine.store %ri, %last[0] : memref<1xi64>
    return
  }
}
