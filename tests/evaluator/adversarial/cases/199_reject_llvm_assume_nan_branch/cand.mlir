// CHEAT (undefined behaviour, like case 189 but through llvm.intr.assume, which promises.py does not scan):
// assumes each x[i] is not NaN, then "handles" NaN by writing 0. O3 uses the assumption to delete the NaN
// branch (right by luck: NaN propagates through x*y + x); O0 keeps it and writes 0 where the result must be
// NaN. The O0 build runs only pair 0 and the first 'limit' pair (no promise seen), neither with NaN.
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1000 = arith.constant 1000 : index
    %zero = arith.constant 0.0 : f32
    scf.for %i = %c0 to %c1000 step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %ord = arith.cmpf ord, %a, %a : f32
      llvm.intr.assume %ord : i1
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      %isnan = arith.cmpf uno, %a, %a : f32
      %v = arith.select %isnan, %zero, %s : f32
      memref.store %v, %out[%i] : memref<1000xf32>
    }
    return
  }
}
