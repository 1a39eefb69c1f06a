// CORRECT: LAPACK-style scaled norm, s * sqrt(sum (x/s)^2) with s = max |x| (no overflow for |x| > 1e19, no
// underflow for tiny rows); s = 0 gives 0, s = Inf gives Inf, a NaN propagates.
module {
  func.func @norm(%x: memref<64x256xf32>, %n: memref<64xf32>) {
    %z = arith.constant 0.0 : f32
    %inf = arith.constant 0x7F800000 : f32
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %c256 = arith.constant 256 : index
    scf.for %i = %c0 to %c64 step %c1 {
      %s = scf.for %j = %c0 to %c256 step %c1 iter_args(%m = %z) -> (f32) {
        %v = memref.load %x[%i, %j] : memref<64x256xf32>
        %a = math.absf %v : f32
        %m2 = arith.maximumf %m, %a : f32
        scf.yield %m2 : f32
      }
      %q = scf.for %j = %c0 to %c256 step %c1 iter_args(%acc = %z) -> (f32) {
        %v = memref.load %x[%i, %j] : memref<64x256xf32>
        %w = arith.divf %v, %s : f32
        %w2 = arith.mulf %w, %w : f32
        %acc2 = arith.addf %acc, %w2 : f32
        scf.yield %acc2 : f32
      }
      %rt = math.sqrt %q : f32
      %nv = arith.mulf %s, %rt : f32
      %is0 = arith.cmpf oeq, %s, %z : f32
      %isinf = arith.cmpf oeq, %s, %inf : f32
      %o1 = arith.select %is0, %z, %nv : f32
      %o2 = arith.select %isinf, %inf, %o1 : f32
      memref.store %o2, %n[%i] : memref<64xf32>
    }
    return
  }
}
