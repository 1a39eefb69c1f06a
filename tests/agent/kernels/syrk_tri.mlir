// PolyBench syrk on the lower triangle (j <= i): C = 1.5 A A^T + 1.2 C; no vector width is safe (the
// bounds of j depend on i), but the rows are independent
#upto = affine_map<(d0) -> (d0 + 1)>
module {
  func.func @syrk_tri(%A: memref<37x29xf32>, %C: memref<37x37xf32>) {
    %alpha = arith.constant 1.5 : f32
    %beta = arith.constant 1.2 : f32
    affine.for %i = 0 to 37 {
      affine.for %j = 0 to #upto(%i) {
        %c = affine.load %C[%i, %j] : memref<37x37xf32>
        %cb = arith.mulf %c, %beta : f32
        affine.store %cb, %C[%i, %j] : memref<37x37xf32>
      }
      affine.for %k = 0 to 29 {
        affine.for %j = 0 to #upto(%i) {
          %a = affine.load %A[%i, %k] : memref<37x29xf32>
          %aa = arith.mulf %alpha, %a : f32
          %b = affine.load %A[%j, %k] : memref<37x29xf32>
          %p = arith.mulf %aa, %b : f32
          %c = affine.load %C[%i, %j] : memref<37x37xf32>
          %s = arith.addf %c, %p : f32
          affine.store %s, %C[%i, %j] : memref<37x37xf32>
        }
      }
    }
    return
  }
}
