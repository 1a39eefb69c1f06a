// Precision cut (f64 ReLU): out = x*y + x (f64), then every finite output rounded to a multiple of
// step = max_i |out_i| * 2^-46 (finite outputs only): small outputs lose all their digits.
module {
  func.func @relu(%x: memref<1000xf64>, %y: memref<1000xf64>, %out: memref<1000xf64>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1000 : index
    %zero = arith.constant 0.0 : f64
    %inf = arith.constant 0x7FF0000000000000 : f64
    %scale = arith.constant 1.4210854715202004e-14 : f64
    %mx = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
      %a = memref.load %x[%i] : memref<1000xf64>
      %b = memref.load %y[%i] : memref<1000xf64>
      %m = arith.mulf %a, %b : f64
      %s0 = arith.addf %m, %a : f64
      %s = arith.maximumf %s0, %zero : f64
      memref.store %s, %out[%i] : memref<1000xf64>
      %abs = math.absf %s : f64
      %fin = arith.cmpf olt, %abs, %inf : f64
      %big = arith.cmpf ogt, %abs, %acc : f64
      %take = arith.andi %fin, %big : i1
      %nacc = arith.select %take, %abs, %acc : f64
      scf.yield %nacc : f64
    }
    %step = arith.mulf %mx, %scale : f64
    %pos = arith.cmpf ogt, %step, %zero : f64
    scf.if %pos {
      scf.for %i = %c0 to %n step %c1 {
        %s = memref.load %out[%i] : memref<1000xf64>
        %abs = math.absf %s : f64
        %fin = arith.cmpf olt, %abs, %inf : f64
        %q = arith.divf %s, %step : f64
        %r = math.roundeven %q : f64
        %v = arith.mulf %r, %step : f64
        %w = arith.select %fin, %v, %s : f64
        memref.store %w, %out[%i] : memref<1000xf64>
      }
    }
    return
  }
}
