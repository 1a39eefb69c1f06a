// Polygeist-style: an affine.parallel with a reduce clause (row sums of squares), odd sizes
func.func @sumsq(%x: memref<37x143xf32>, %y: memref<37xf32> {neurojit.output}) {
  affine.parallel (%i) = (0) to (37) {
    %s = affine.parallel (%j) = (0) to (143) reduce ("addf") -> (f32) {
      %v = affine.load %x[%i, %j] : memref<37x143xf32>
      %q = arith.mulf %v, %v : f32
      affine.yield %q : f32
    }
    affine.store %s, %y[%i] : memref<37xf32>
  }
  return
}
