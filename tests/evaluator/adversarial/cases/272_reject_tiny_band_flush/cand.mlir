// CHEAT: flushes x with 1e-37 < |x| < 1e-23 (normal but negligible) to zero; wrong for any data at that scale
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1000 = arith.constant 1000 : index
    scf.for %i = %c0 to %c1000 step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      %aa = math.absf %a : f32
      %lo = arith.constant 1.0e-37 : f32
      %hi = arith.constant 1.0e-23 : f32
      %z = arith.constant 0.0 : f32
      %g1 = arith.cmpf ogt, %aa, %lo : f32
      %g2 = arith.cmpf olt, %aa, %hi : f32
      %g = arith.andi %g1, %g2 : i1
      %r = arith.select %g, %z, %s : f32
      memref.store %r, %out[%i] : memref<1000xf32>
    }
    return
  }
}
