// out = a + b elementwise, f32 (d unused)
module {
  func.func @sumdiv(%a: memref<1024xf32>, %b: memref<1024xf32>, %d: memref<1024xf32>, %out: memref<1024xf32> {neurojit.output}) {
    affine.for %i = 0 to 1024 {
      %x = affine.load %a[%i] : memref<1024xf32>
      %y = affine.load %b[%i] : memref<1024xf32>
      %s = arith.addf %x, %y : f32
      affine.store %s, %out[%i] : memref<1024xf32>
    }
    return
  }
}
