// Uses %x as scratch with affine.store (x*y parked in x[i]) and puts x[i] back before moving on: the inputs are
// unchanged after every call, so only the static write check can see it (a read-only mapping would fault).
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    affine.for %i = 0 to 1000 {
      %a = affine.load %x[%i] : memref<1000xf32>
      %b = affine.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      affine.store %m, %x[%i] : memref<1000xf32>
      %t = affine.load %x[%i] : memref<1000xf32>
      %s = arith.addf %t, %a : f32
      affine.store %s, %out[%i] : memref<1000xf32>
      affine.store %a, %x[%i] : memref<1000xf32>
    }
    return
  }
}
