// Welford's one-pass mean/variance per row (numerically stable), rsqrt, then y in a second pass.
module {
  func.func @layer_norm(%x: memref<9x77xf32>, %gamma: memref<77xf32>, %beta: memref<77xf32>,
                        %mean: memref<9xf32> {neurojit.output}, %rstd: memref<9xf32> {neurojit.output},
                        %y: memref<9x77xf32> {neurojit.output}) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %rows = arith.constant 9 : index
    %cols = arith.constant 77 : index
    %zero = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %n = arith.constant 77.0 : f32
    %eps = arith.constant 1.0e-5 : f32
    scf.for %i = %c0 to %rows step %c1 {
      %w:3 = scf.for %j = %c0 to %cols step %c1 iter_args(%cnt = %zero, %mu = %zero, %m2 = %zero) -> (f32, f32, f32) {
        %v = memref.load %x[%i, %j] : memref<9x77xf32>
        %cn = arith.addf %cnt, %one : f32
        %d = arith.subf %v, %mu : f32
        %q = arith.divf %d, %cn : f32
        %mun = arith.addf %mu, %q : f32
        %d2 = arith.subf %v, %mun : f32
        %p = arith.mulf %d, %d2 : f32
        %m2n = arith.addf %m2, %p : f32
        scf.yield %cn, %mun, %m2n : f32, f32, f32
      }
      %var = arith.divf %w#2, %n : f32
      %ve = arith.addf %var, %eps : f32
      %r = math.rsqrt %ve : f32
      memref.store %w#1, %mean[%i] : memref<9xf32>
      memref.store %r, %rstd[%i] : memref<9xf32>
      scf.for %j = %c0 to %cols step %c1 {
        %v = memref.load %x[%i, %j] : memref<9x77xf32>
        %g = memref.load %gamma[%j] : memref<77xf32>
        %b = memref.load %beta[%j] : memref<77xf32>
        %d = arith.subf %v, %w#1 : f32
        %n1 = arith.mulf %d, %r : f32
        %o = math.fma %n1, %g, %b : f32
        memref.store %o, %y[%i, %j] : memref<9x77xf32>
      }
    }
    return
  }
}
