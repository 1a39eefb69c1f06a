// CORRECT (another order where the baseline's order overflows): each row sum in the baseline's order, or where that gives +-Inf, pairwise (a + b) + (c + d); maxnum of the two by vector.reduction <maxnumf>
module {
  func.func @vmax(%x: memref<256x2x4xf32>, %out: memref<256xf32> {neurojit.output}) {
    %z = arith.constant dense<0.0> : vector<2xf32>
    %zero = arith.constant 0.0 : f32
    %inf = arith.constant 0x7F800000 : f32
    affine.for %j = 0 to 256 {
      %x00 = affine.load %x[%j, 0, 0] : memref<256x2x4xf32>
      %x01 = affine.load %x[%j, 0, 1] : memref<256x2x4xf32>
      %x02 = affine.load %x[%j, 0, 2] : memref<256x2x4xf32>
      %x03 = affine.load %x[%j, 0, 3] : memref<256x2x4xf32>
      %p0 = arith.addf %x00, %x01 : f32
      %q0 = arith.addf %p0, %x02 : f32
      %s0a = arith.addf %q0, %x03 : f32
      %t0 = arith.addf %x02, %x03 : f32
      %u0 = arith.addf %p0, %t0 : f32
      %a0 = math.absf %s0a : f32
      %o0 = arith.cmpf oeq, %a0, %inf : f32
      %s0 = arith.select %o0, %u0, %s0a : f32
      %x10 = affine.load %x[%j, 1, 0] : memref<256x2x4xf32>
      %x11 = affine.load %x[%j, 1, 1] : memref<256x2x4xf32>
      %x12 = affine.load %x[%j, 1, 2] : memref<256x2x4xf32>
      %x13 = affine.load %x[%j, 1, 3] : memref<256x2x4xf32>
      %p1 = arith.addf %x10, %x11 : f32
      %q1 = arith.addf %p1, %x12 : f32
      %s1a = arith.addf %q1, %x13 : f32
      %t1 = arith.addf %x12, %x13 : f32
      %u1 = arith.addf %p1, %t1 : f32
      %a1 = math.absf %s1a : f32
      %o1 = arith.cmpf oeq, %a1, %inf : f32
      %s1 = arith.select %o1, %u1, %s1a : f32
      %v0 = vector.insert %s0, %z [0] : f32 into vector<2xf32>
      %v = vector.insert %s1, %v0 [1] : f32 into vector<2xf32>
      %m = vector.reduction <maxnumf>, %v : vector<2xf32> into f32
      affine.store %m, %out[%j] : memref<256xf32>
    }
    return
  }
}
