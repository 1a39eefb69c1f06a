// fake quantisation to steps of 1/4 by the f32 magic-constant rounding (x*4 + 1.5*2^23) - 1.5*2^23, then /4
module {
  func.func @fq(%x: memref<64xf32>, %y: memref<64xf32> {neurojit.output}) {
    %c = arith.constant 12582912.0 : f32
    %s = arith.constant 4.0 : f32
    %q = arith.constant 0.25 : f32
    affine.for %i = 0 to 64 {
      %v = affine.load %x[%i] : memref<64xf32>
      %a = arith.mulf %v, %s : f32
      %b = arith.addf %a, %c : f32
      %d = arith.subf %b, %c : f32
      %e = arith.mulf %d, %q : f32
      affine.store %e, %y[%i] : memref<64xf32>
    }
    return
  }
}
