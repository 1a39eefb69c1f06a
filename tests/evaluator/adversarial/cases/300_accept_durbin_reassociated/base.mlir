// PolyBench durbin (Levinson-Durbin recursion), f64, N = 37 (odd: every vector loop has a rest), as affine loops
module {
  func.func @durbin(%r: memref<37xf64>, %y: memref<37xf64> {neurojit.output}, %z: memref<37xf64> {neurojit.output}) {
    %zero = arith.constant 0.0 : f64
    %one = arith.constant 1.0 : f64
    %r0 = affine.load %r[0] : memref<37xf64>
    %nr0 = arith.negf %r0 : f64
    affine.store %nr0, %y[0] : memref<37xf64>
    %res:2 = affine.for %k = 1 to 37 iter_args(%alpha = %nr0, %beta = %one) -> (f64, f64) {
      %aa = arith.mulf %alpha, %alpha : f64
      %om = arith.subf %one, %aa : f64
      %nbeta = arith.mulf %om, %beta : f64
      %sum = affine.for %i = 0 to affine_map<(d0) -> (d0)>(%k) iter_args(%s = %zero) -> f64 {
        %rv = affine.load %r[%k - %i - 1] : memref<37xf64>
        %yv = affine.load %y[%i] : memref<37xf64>
        %p = arith.mulf %rv, %yv : f64
        %ns = arith.addf %s, %p : f64
        affine.yield %ns : f64
      }
      %rk = affine.load %r[%k] : memref<37xf64>
      %t = arith.addf %rk, %sum : f64
      %nt = arith.negf %t : f64
      %nalpha = arith.divf %nt, %nbeta : f64
      affine.for %i = 0 to affine_map<(d0) -> (d0)>(%k) {
        %yi = affine.load %y[%i] : memref<37xf64>
        %yk = affine.load %y[%k - %i - 1] : memref<37xf64>
        %m = arith.mulf %nalpha, %yk : f64
        %zi = arith.addf %yi, %m : f64
        affine.store %zi, %z[%i] : memref<37xf64>
      }
      affine.for %i = 0 to affine_map<(d0) -> (d0)>(%k) {
        %zi = affine.load %z[%i] : memref<37xf64>
        affine.store %zi, %y[%i] : memref<37xf64>
      }
      affine.store %nalpha, %y[%k] : memref<37xf64>
      affine.yield %nalpha, %nbeta : f64, f64
    }
    return
  }
}
