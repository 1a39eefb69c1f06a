// an independent scf.for over elements, each halving its value in an scf.while until it is at most 1 (odd size)
func.func @halve(%x: memref<262147xf32>, %y: memref<262147xf32> {neurojit.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 262147 : index
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    %v0 = memref.load %x[%i] : memref<262147xf32>
    %v = math.absf %v0 : f32
    %r = scf.while (%g = %v) : (f32) -> f32 {
      %big = arith.cmpf ogt, %g, %one : f32
      scf.condition(%big) %g : f32
    } do {
    ^bb0(%g: f32):
      %g2 = arith.mulf %g, %half : f32
      scf.yield %g2 : f32
    }
    memref.store %r, %y[%i] : memref<262147xf32>
  }
  return
}
