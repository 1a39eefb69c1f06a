// row sums over a band: rows t .. min(t + 30, 37), 37 not a multiple of any jam
module {
  func.func @band_sums(%A: memref<37x40xf64>, %y: memref<4x37xf64> {neurojit.output}) {
    affine.for %t = 0 to 4 {
      affine.for %i = affine_map<(d0) -> (d0)>(%t) to min affine_map<(d0) -> (d0 + 30, 37)>(%t) {
        %y0 = affine.load %y[%t, %i] : memref<4x37xf64>
        %s = affine.for %k = 0 to 40 iter_args(%a = %y0) -> f64 {
          %v = affine.load %A[%i, %k] : memref<37x40xf64>
          %n = arith.addf %a, %v : f64
          affine.yield %n : f64
        }
        affine.store %s, %y[%t, %i] : memref<4x37xf64>
      }
    }
    return
  }
}
