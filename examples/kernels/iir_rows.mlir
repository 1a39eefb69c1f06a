// a causal IIR filter along each row (deriche's first pass), f32, 256 x 300: y[i][j] = a1 x[i][j] + a2 x[i][j-1] + b1 y[i][j-1] + b2 y[i][j-2]
module {
  func.func @iir_rows(%x: memref<256x300xf32>, %y: memref<256x300xf32> {neurojit.output}) {
    %a1 = arith.constant 0.25 : f32
    %a2 = arith.constant 0.125 : f32
    %b1 = arith.constant 0.5 : f32
    %b2 = arith.constant -0.0625 : f32
    %z = arith.constant 0.0 : f32
    affine.for %i = 0 to 256 {
      %r:3 = affine.for %j = 0 to 300 iter_args(%xm1 = %z, %ym1 = %z, %ym2 = %z) -> (f32, f32, f32) {
        %xv = affine.load %x[%i, %j] : memref<256x300xf32>
        %t0 = arith.mulf %a1, %xv : f32
        %t1 = arith.mulf %a2, %xm1 : f32
        %t2 = arith.mulf %b1, %ym1 : f32
        %t3 = arith.mulf %b2, %ym2 : f32
        %s0 = arith.addf %t0, %t1 : f32
        %s1 = arith.addf %s0, %t2 : f32
        %s2 = arith.addf %s1, %t3 : f32
        affine.store %s2, %y[%i, %j] : memref<256x300xf32>
        affine.yield %xv, %s2, %ym1 : f32, f32, f32
      }
    }
    return
  }
}
