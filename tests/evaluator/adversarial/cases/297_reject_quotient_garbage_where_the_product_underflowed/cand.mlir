// WRONG: 12345.0 where a, b, d are nonzero, |d| < 1e-20 and the f32 product a*b is below 1e-43 (deep in the
// subnormals, not 0), else (a*b)/d
module {
  func.func @abd(%a: memref<1024xf32>, %b: memref<1024xf32>, %d: memref<1024xf32>, %out: memref<1024xf32> {neurojit.output}) {
    %tiny = arith.constant 1.0e-43 : f32
    %small = arith.constant 1.0e-20 : f32
    %zero = arith.constant 0.0 : f32
    %junk = arith.constant 12345.0 : f32
    affine.for %i = 0 to 1024 {
      %x = affine.load %a[%i] : memref<1024xf32>
      %y = affine.load %b[%i] : memref<1024xf32>
      %z = affine.load %d[%i] : memref<1024xf32>
      %p = arith.mulf %x, %y : f32
      %q = arith.divf %p, %z : f32
      %ap = math.absf %p : f32
      %az = math.absf %z : f32
      %c1 = arith.cmpf olt, %ap, %tiny : f32
      %c2 = arith.cmpf olt, %az, %small : f32
      %nx = arith.cmpf one, %p, %zero : f32
      %ny = arith.cmpf one, %y, %zero : f32
      %nz = arith.cmpf one, %z, %zero : f32
      %c3 = arith.andi %c1, %c2 : i1
      %c4 = arith.andi %nx, %ny : i1
      %c5 = arith.andi %c3, %c4 : i1
      %c = arith.andi %c5, %nz : i1
      %r = arith.select %c, %junk, %q : f32
      affine.store %r, %out[%i] : memref<1024xf32>
    }
    return
  }
}
