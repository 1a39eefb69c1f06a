// Precision cut: out = x*y + x (f32), then every finite output rounded to a multiple of
// step = max_i |out_i| * 2^-17 (finite outputs only): small outputs lose all their digits.
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1000 : index
    %zero = arith.constant 0.0 : f32
    %inf = arith.constant 0x7F800000 : f32
    %scale = arith.constant 7.62939453125e-06 : f32
    %mx = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      memref.store %s, %out[%i] : memref<1000xf32>
      %abs = math.absf %s : f32
      %fin = arith.cmpf olt, %abs, %inf : f32
      %big = arith.cmpf ogt, %abs, %acc : f32
      %take = arith.andi %fin, %big : i1
      %nacc = arith.select %take, %abs, %acc : f32
      scf.yield %nacc : f32
    }
    %step = arith.mulf %mx, %scale : f32
    %pos = arith.cmpf ogt, %step, %zero : f32
    scf.if %pos {
      scf.for %i = %c0 to %n step %c1 {
        %s = memref.load %out[%i] : memref<1000xf32>
        %abs = math.absf %s : f32
        %fin = arith.cmpf olt, %abs, %inf : f32
        %q = arith.divf %s, %step : f32
        %r = math.roundeven %q : f32
        %v = arith.mulf %r, %step : f32
        %w = arith.select %fin, %v, %s : f32
        memref.store %w, %out[%i] : memref<1000xf32>
      }
    }
    return
  }
}
