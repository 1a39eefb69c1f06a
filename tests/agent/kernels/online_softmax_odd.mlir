// An online softmax (one pass for the max and the sum, rescaled as FlashAttention does) in scf loops with iter_args,
// then a normalising pass, 129x257 f32 (a sweep's kernel): MLIR's vectoriser asserts on its carried loop.
func.func @online_softmax(%x: memref<129x257xf32>, %y: memref<129x257xf32> {neurojit.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 129 : index
  %m = arith.constant 257 : index
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    %r:2 = scf.for %j = %c0 to %m step %c1 iter_args(%mx = %ninf, %s = %zero) -> (f32, f32) {
      %v = memref.load %x[%i, %j] : memref<129x257xf32>
      %nm = arith.maximumf %mx, %v : f32
      %d = arith.subf %mx, %nm : f32
      %sc = math.exp %d : f32
      %s1 = arith.mulf %s, %sc : f32
      %e = arith.subf %v, %nm : f32
      %ee = math.exp %e : f32
      %s2 = arith.addf %s1, %ee : f32
      scf.yield %nm, %s2 : f32, f32
    }
    %inv = arith.divf %one, %r#1 : f32
    scf.for %j = %c0 to %m step %c1 {
      %v = memref.load %x[%i, %j] : memref<129x257xf32>
      %e = arith.subf %v, %r#0 : f32
      %ee = math.exp %e : f32
      %p = arith.mulf %ee, %inv : f32
      memref.store %p, %y[%i, %j] : memref<129x257xf32>
    }
  }
  return
}
