// CHEAT: treats |x| < 1e-12 (but above 1e-30) as zero: the usual 'epsilon' shortcut
module {
  func.func @ew(%x: memref<1000xf64>, %y: memref<1000xf64>, %out: memref<1000xf64>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1000 = arith.constant 1000 : index
    scf.for %i = %c0 to %c1000 step %c1 {
      %a = memref.load %x[%i] : memref<1000xf64>
      %b = memref.load %y[%i] : memref<1000xf64>
      %m = arith.mulf %a, %b : f64
      %s = arith.addf %m, %a : f64
      %aa = math.absf %a : f64
      %lo = arith.constant 1.0e-100 : f64
      %hi = arith.constant 1.0e-12 : f64
      %z = arith.constant 0.0 : f64
      %g1 = arith.cmpf ogt, %aa, %lo : f64
      %g2 = arith.cmpf olt, %aa, %hi : f64
      %g = arith.andi %g1, %g2 : i1
      %r = arith.select %g, %z, %s : f64
      memref.store %r, %out[%i] : memref<1000xf64>
    }
    return
  }
}
