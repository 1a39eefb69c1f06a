// Computes x*y + x under fastmath<nnan> and then maps NaN results to 0: O3 trusts the promise, folds the test away
// and returns the NaN the baseline gives; the O0 build evaluates it and returns 0. Only NaN/Inf inputs differ.
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1000 : index
    %zero = arith.constant 0.0 : f32
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b fastmath<nnan> : f32
      %s = arith.addf %m, %a fastmath<nnan> : f32
      %isnan = arith.cmpf uno, %s, %s fastmath<nnan> : f32
      %r = arith.select %isnan, %zero, %s : f32
      memref.store %r, %out[%i] : memref<1000xf32>
    }
    return
  }
}
