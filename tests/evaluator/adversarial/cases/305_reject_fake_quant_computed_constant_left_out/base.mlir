// fake quantisation to integers, y = round(4096 x) by the magic constant c = 1.5*2^23 computed as 3 * 2^22 (no literal constant >= 2^22 for rounds_on_purpose to see); math.sqrt computes the scale 4096 (no magnitude twin)
module {
  func.func @fq(%x: memref<64xf32>, %y: memref<64xf32> {neurojit.output}) {
    %three = arith.constant 3.0 : f32
    %p22 = arith.constant 4194304.0 : f32
    %c = arith.mulf %three, %p22 : f32
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
