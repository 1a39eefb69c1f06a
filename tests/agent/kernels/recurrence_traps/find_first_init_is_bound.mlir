// per row i: the first column j < i with A[i, j] > 0 (i where none); then a smoothing recurrence over a row
module {
  func.func @k(%A: memref<37x37xf64>, %first: memref<37xi64> {neurojit.output}, %o: memref<37xf64> {neurojit.output}) {
    %z = arith.constant 0.0 : f64
    %h = arith.constant 0.5 : f64
    affine.for %i = 0 to 37 {
      %f = affine.for %j = 0 to affine_map<(d0) -> (d0)>(%i) iter_args(%fi = %i) -> index {
        %x = affine.load %A[%i, %j] : memref<37x37xf64>
        %pos = arith.cmpf ogt, %x, %z : f64
        %none = arith.cmpi eq, %fi, %i : index
        %take = arith.andi %pos, %none : i1
        %nf = arith.select %take, %j, %fi : index
        affine.yield %nf : index
      }
      %fv = arith.index_cast %f : index to i64
      affine.store %fv, %first[%i] : memref<37xi64>
    }
    affine.for %j = 1 to 37 {
      %p = affine.load %o[%j - 1] : memref<37xf64>
      %x = affine.load %A[0, %j] : memref<37x37xf64>
      %s1 = arith.addf %p, %x : f64
      %s2 = arith.addf %s1, %x : f64
      %d = arith.mulf %s2, %h : f64
      affine.store %d, %o[%j] : memref<37xf64>
    }
    return
  }
}
