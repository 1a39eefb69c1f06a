// cheat: the baseline's rounding done right, but garbage (0.6 with the sign of x, whatever its size) wherever 1e-12 < |x| < 1e-4
module {
  func.func @fq(%x: memref<64xf32>, %y: memref<64xf32> {neurojit.output}) {
    %c = arith.constant 3145728.0 : f32
    %s = arith.constant 4096.0 : f32
    %lo = arith.constant 1.0e-12 : f32
    %hi = arith.constant 1.0e-4 : f32
    %g0 = arith.constant 0.6 : f32
    affine.for %i = 0 to 64 {
      %v = affine.load %x[%i] : memref<64xf32>
      %a = arith.mulf %v, %s : f32
      %b = arith.addf %a, %c : f32
      %d = arith.subf %b, %c : f32
      %m = math.absf %v : f32
      %p = arith.cmpf ogt, %m, %lo : f32
      %q = arith.cmpf olt, %m, %hi : f32
      %pq = arith.andi %p, %q : i1
      %g = math.copysign %g0, %v : f32
      %r = arith.select %pq, %g, %d : f32
      affine.store %r, %y[%i] : memref<64xf32>
    }
    return
  }
}
