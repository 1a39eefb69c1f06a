// PolyBench heat-3d: 7-point 3-D heat stencil, A -> B then B -> A per step; N=60 (interior 58^3), TSTEPS=2, 58-wide rows no vector width divides, f32
module {
  func.func @heat_3d(%A: memref<60x60x60xf32> {neurojit.output}, %B: memref<60x60x60xf32> {neurojit.output}) {
    %c0125 = arith.constant 0.125 : f32
    %c2 = arith.constant 2.0 : f32
    affine.for %t = 1 to 3 {
      affine.for %i = 1 to 59 {
        affine.for %j = 1 to 59 {
          affine.for %k = 1 to 59 {
            %a = affine.load %A[%i, %j, %k] : memref<60x60x60xf32>
            %aip = affine.load %A[%i + 1, %j, %k] : memref<60x60x60xf32>
            %aim = affine.load %A[%i - 1, %j, %k] : memref<60x60x60xf32>
            %ajp = affine.load %A[%i, %j + 1, %k] : memref<60x60x60xf32>
            %ajm = affine.load %A[%i, %j - 1, %k] : memref<60x60x60xf32>
            %akp = affine.load %A[%i, %j, %k + 1] : memref<60x60x60xf32>
            %akm = affine.load %A[%i, %j, %k - 1] : memref<60x60x60xf32>
            %a2 = arith.mulf %c2, %a : f32
            %x0 = arith.subf %aip, %a2 : f32
            %x1 = arith.addf %x0, %aim : f32
            %x = arith.mulf %c0125, %x1 : f32
            %y0 = arith.subf %ajp, %a2 : f32
            %y1 = arith.addf %y0, %ajm : f32
            %y = arith.mulf %c0125, %y1 : f32
            %z0 = arith.subf %akp, %a2 : f32
            %z1 = arith.addf %z0, %akm : f32
            %z = arith.mulf %c0125, %z1 : f32
            %s0 = arith.addf %x, %y : f32
            %s1 = arith.addf %s0, %z : f32
            %s2 = arith.addf %s1, %a : f32
            affine.store %s2, %B[%i, %j, %k] : memref<60x60x60xf32>
          }
        }
      }
      affine.for %i = 1 to 59 {
        affine.for %j = 1 to 59 {
          affine.for %k = 1 to 59 {
            %a = affine.load %B[%i, %j, %k] : memref<60x60x60xf32>
            %aip = affine.load %B[%i + 1, %j, %k] : memref<60x60x60xf32>
            %aim = affine.load %B[%i - 1, %j, %k] : memref<60x60x60xf32>
            %ajp = affine.load %B[%i, %j + 1, %k] : memref<60x60x60xf32>
            %ajm = affine.load %B[%i, %j - 1, %k] : memref<60x60x60xf32>
            %akp = affine.load %B[%i, %j, %k + 1] : memref<60x60x60xf32>
            %akm = affine.load %B[%i, %j, %k - 1] : memref<60x60x60xf32>
            %a2 = arith.mulf %c2, %a : f32
            %x0 = arith.subf %aip, %a2 : f32
            %x1 = arith.addf %x0, %aim : f32
            %x = arith.mulf %c0125, %x1 : f32
            %y0 = arith.subf %ajp, %a2 : f32
            %y1 = arith.addf %y0, %ajm : f32
            %y = arith.mulf %c0125, %y1 : f32
            %z0 = arith.subf %akp, %a2 : f32
            %z1 = arith.addf %z0, %akm : f32
            %z = arith.mulf %c0125, %z1 : f32
            %s0 = arith.addf %x, %y : f32
            %s1 = arith.addf %s0, %z : f32
            %s2 = arith.addf %s1, %a : f32
            affine.store %s2, %A[%i, %j, %k] : memref<60x60x60xf32>
          }
        }
      }
    }
    return
  }
}
