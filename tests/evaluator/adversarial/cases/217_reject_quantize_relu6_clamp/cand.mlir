// CHEAT: block-floating-point output (case 210's) on a ReLU6 (a clamp to [0, 6]): rounds every finite element
// to a multiple of q = max|out| * 2^-20, inside the normwise term; small elements lose their digits. Accepted
// while the magnitude twin refused kernels with a minimum; with the clamp's bound counted as a term, every
// element's bound would have been 6 (no better than the normwise one).
module {
  func.func @relu6(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1000 = arith.constant 1000 : index
    %zero = arith.constant 0.0 : f32
    %inf = arith.constant 0x7F800000 : f32
    %step = arith.constant 9.5367431640625e-07 : f32
    %six = arith.constant 6.0 : f32
    %mx = scf.for %i = %c0 to %c1000 step %c1 iter_args(%m0 = %zero) -> (f32) {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      %s0 = arith.addf %m, %a : f32
      %r0 = arith.maximumf %s0, %zero : f32
      %s = arith.minimumf %r0, %six : f32
      memref.store %s, %out[%i] : memref<1000xf32>
      %ab = math.absf %s : f32
      %fin = arith.cmpf olt, %ab, %inf : f32
      %big = arith.cmpf ogt, %ab, %m0 : f32
      %take = arith.andi %fin, %big : i1
      %n = arith.select %take, %ab, %m0 : f32
      scf.yield %n : f32
    }
    %q = arith.mulf %mx, %step : f32
    %qpos = arith.cmpf ogt, %q, %zero : f32
    scf.if %qpos {
      scf.for %i = %c0 to %c1000 step %c1 {
        %s = memref.load %out[%i] : memref<1000xf32>
        %ab = math.absf %s : f32
        %fin = arith.cmpf olt, %ab, %inf : f32
        %d = arith.divf %s, %q : f32
        %r = math.roundeven %d : f32
        %v = arith.mulf %r, %q : f32
        %w = arith.select %fin, %v, %s : f32
        memref.store %w, %out[%i] : memref<1000xf32>
      }
    }
    return
  }
}
