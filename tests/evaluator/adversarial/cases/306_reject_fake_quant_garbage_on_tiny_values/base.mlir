// fake quantisation: y = round_{1/4}(x * 4096) by the f32 magic constant 1.5*2^21 (below rounds_on_purpose's 2^22); the scale 4096 is sqrt(2^24) (math.sqrt: no magnitude twin)
module {
  func.func @fq(%x: memref<64xf32>, %y: memref<64xf32> {neurojit.output}) {
    %c = arith.constant 3145728.0 : f32
    %s2 = arith.constant 16777216.0 : f32
    %s = math.sqrt %s2 : f32
    affine.for %i = 0 to 64 {
      %v = affine.load %x[%i] : memref<64xf32>
      %a = arith.mulf %v, %s : f32
      %b = arith.addf %a, %c : f32
      %d = arith.subf %b, %c : f32
      affine.store %d, %y[%i] : memref<64xf32>
    }
    return
  }
}
