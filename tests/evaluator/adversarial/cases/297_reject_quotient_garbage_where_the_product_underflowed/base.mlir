// out = (a * b) / d elementwise, f32: a product divided by an input's element
module {
  func.func @abd(%a: memref<1024xf32>, %b: memref<1024xf32>, %d: memref<1024xf32>, %out: memref<1024xf32> {neurojit.output}) {
    affine.for %i = 0 to 1024 {
      %x = affine.load %a[%i] : memref<1024xf32>
      %y = affine.load %b[%i] : memref<1024xf32>
      %z = affine.load %d[%i] : memref<1024xf32>
      %p = arith.mulf %x, %y : f32
      %q = arith.divf %p, %z : f32
      affine.store %q, %out[%i] : memref<1024xf32>
    }
    return
  }
}
