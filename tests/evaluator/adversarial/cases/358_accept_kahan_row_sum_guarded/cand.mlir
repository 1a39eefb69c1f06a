// CORRECT: Kahan-compensated row sums (more accurate than the plain chain), falling back to the plain sum
// (kept alongside) where the compensated one is not finite (an Inf term makes Kahan's correction Inf - Inf).
module {
  func.func @rowsum(%x: memref<64x256xf32>, %s: memref<64xf32>) {
    %z = arith.constant 0.0 : f32
    %inf = arith.constant 0x7F800000 : f32
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %c256 = arith.constant 256 : index
    scf.for %i = %c0 to %c64 step %c1 {
      %r:3 = scf.for %j = %c0 to %c256 step %c1 iter_args(%sum = %z, %c = %z, %plain = %z) -> (f32, f32, f32) {
        %v = memref.load %x[%i, %j] : memref<64x256xf32>
        %y = arith.subf %v, %c : f32
        %t = arith.addf %sum, %y : f32
        %u = arith.subf %t, %sum : f32
        %c2 = arith.subf %u, %y : f32
        %p2 = arith.addf %plain, %v : f32
        scf.yield %t, %c2, %p2 : f32, f32, f32
      }
      %a = math.absf %r#0 : f32
      %fin = arith.cmpf olt, %a, %inf : f32
      %o = arith.select %fin, %r#0, %r#2 : f32
      memref.store %o, %s[%i] : memref<64xf32>
    }
    return
  }
}
