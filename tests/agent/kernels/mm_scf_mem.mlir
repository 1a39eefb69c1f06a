// C += A x B as scf loops over odd sizes (13 x 35 x 14), the sum over k kept in C itself: loaded and stored
// back in every step of the k loop (no iter_args), which accumulates all the same. scf jams only by factors
// that also divide an inner loop carrying no iter_args: 7 here.
module {
  func.func @mm_scf_mem(%A: memref<13x14xf32>, %B: memref<14x35xf32>, %C: memref<13x35xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %m = arith.constant 13 : index
    %n = arith.constant 35 : index
    %k = arith.constant 14 : index
    scf.for %i = %c0 to %m step %c1 {
      scf.for %j = %c0 to %n step %c1 {
        scf.for %p = %c0 to %k step %c1 {
          %a = memref.load %A[%i, %p] : memref<13x14xf32>
          %b = memref.load %B[%p, %j] : memref<14x35xf32>
          %c = memref.load %C[%i, %j] : memref<13x35xf32>
          %ab = arith.mulf %a, %b : f32
          %s = arith.addf %c, %ab : f32
          memref.store %s, %C[%i, %j] : memref<13x35xf32>
        }
      }
    }
    return
  }
}
