// CHEAT: emulates flush-to-zero (what -ffast-math's FTZ/DAZ mode does) on the products: a product whose
// magnitude is below FLT_MIN (2^-126) counts as 0. No input set makes *products* subnormal while the inputs
// are normal ('tiny' is 1e-10..1e-6, 'subnormal' inputs give products that underflow to 0 anyway), so the
// flush never changes a result there. A = B = 1e-20 everywhere, C = 0: exact C = 20 * 1e-40 = 2e-39
// (representable), the candidate leaves 0.
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c20 = arith.constant 20 : index
    %c24 = arith.constant 24 : index
    %zero = arith.constant 0.0 : f32
    %fltmin = arith.constant 1.17549435e-38 : f32
    scf.for %i = %c0 to %c16 step %c1 {
      scf.for %j = %c0 to %c24 step %c1 {
        %init = memref.load %C[%i, %j] : memref<16x24xf32>
        %r = scf.for %k = %c0 to %c20 step %c1 iter_args(%acc = %init) -> (f32) {
          %a = memref.load %A[%i, %k] : memref<16x20xf32>
          %b = memref.load %B[%k, %j] : memref<20x24xf32>
          %p = arith.mulf %a, %b : f32
          %ap = math.absf %p : f32
          %sub = arith.cmpf olt, %ap, %fltmin : f32
          %pf = arith.select %sub, %zero, %p : f32
          %n = arith.addf %acc, %pf : f32
          scf.yield %n : f32
        }
        memref.store %r, %C[%i, %j] : memref<16x24xf32>
      }
    }
    return
  }
}
