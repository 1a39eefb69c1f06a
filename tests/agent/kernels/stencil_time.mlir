// An fdtd-2d-like time loop: each step sets row 0 of E from a per-step source (a parallel loop with too
// little work to pay for its tasks) and updates the rest of E, then H (parallel loops with enough work)
module {
  func.func @stencil_time(%src: memref<4xf32>, %E: memref<190x190xf32> {neurojit.output},
                          %H: memref<190x190xf32> {neurojit.output}) {
    %half = arith.constant 0.5 : f32
    affine.for %t = 0 to 4 {
      affine.for %j = 0 to 190 {
        %s = affine.load %src[%t] : memref<4xf32>
        affine.store %s, %E[0, %j] : memref<190x190xf32>
      }
      affine.for %i = 1 to 190 {
        affine.for %j = 0 to 190 {
          %e = affine.load %E[%i, %j] : memref<190x190xf32>
          %h0 = affine.load %H[%i, %j] : memref<190x190xf32>
          %h1 = affine.load %H[%i - 1, %j] : memref<190x190xf32>
          %d = arith.subf %h0, %h1 : f32
          %m = arith.mulf %half, %d : f32
          %r = arith.subf %e, %m : f32
          affine.store %r, %E[%i, %j] : memref<190x190xf32>
        }
      }
      affine.for %i = 0 to 189 {
        affine.for %j = 0 to 189 {
          %h = affine.load %H[%i, %j] : memref<190x190xf32>
          %e0 = affine.load %E[%i, %j] : memref<190x190xf32>
          %e1 = affine.load %E[%i + 1, %j] : memref<190x190xf32>
          %d = arith.subf %e1, %e0 : f32
          %m = arith.mulf %half, %d : f32
          %r = arith.subf %h, %m : f32
          affine.store %r, %H[%i, %j] : memref<190x190xf32>
        }
      }
    }
    return
  }
}
