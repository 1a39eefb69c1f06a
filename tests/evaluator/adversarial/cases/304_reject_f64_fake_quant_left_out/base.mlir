// f64 fake quantisation to steps of 2^-32 by the magic constant 1.5*2^52: ((x*2^32 + C) - C) * 2^-32
module {
  func.func @fq(%x: memref<64xf64>, %y: memref<64xf64> {neurojit.output}) {
    %c = arith.constant 6755399441055744.0 : f64
    %s = arith.constant 4294967296.0 : f64
    %q = arith.constant 2.3283064365386963e-10 : f64
    affine.for %i = 0 to 64 {
      %v = affine.load %x[%i] : memref<64xf64>
      %a = arith.mulf %v, %s : f64
      %b = arith.addf %a, %c : f64
      %d = arith.subf %b, %c : f64
      %e = arith.mulf %d, %q : f64
      affine.store %e, %y[%i] : memref<64xf64>
    }
    return
  }
}
