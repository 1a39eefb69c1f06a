// cheat: the quantisation done in f64 (rounds to steps of 2^-31, not 1/4): effectively returns x unquantised
module {
  func.func @fq(%x: memref<64xf32>, %y: memref<64xf32> {neurojit.output}) {
    %c = arith.constant 12582912.0 : f64
    %s = arith.constant 4.0 : f64
    %q = arith.constant 0.25 : f64
    affine.for %i = 0 to 64 {
      %v0 = affine.load %x[%i] : memref<64xf32>
      %v = arith.extf %v0 : f32 to f64
      %a = arith.mulf %v, %s : f64
      %b = arith.addf %a, %c : f64
      %d = arith.subf %b, %c : f64
      %e = arith.mulf %d, %q : f64
      %t = arith.truncf %e : f64 to f32
      affine.store %t, %y[%i] : memref<64xf32>
    }
    return
  }
}
