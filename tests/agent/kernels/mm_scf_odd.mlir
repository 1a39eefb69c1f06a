// C += A x B as hand-written scf loops over odd sizes (13 x 35 x 11), the sum over k in a register.
module {
  func.func @mm_scf_odd(%A: memref<13x11xf32>, %B: memref<11x35xf32>, %C: memref<13x35xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %m = arith.constant 13 : index
    %n = arith.constant 35 : index
    %k = arith.constant 11 : index
    scf.for %i = %c0 to %m step %c1 {
      scf.for %j = %c0 to %n step %c1 {
        %init = memref.load %C[%i, %j] : memref<13x35xf32>
        %sum = scf.for %p = %c0 to %k step %c1 iter_args(%acc = %init) -> (f32) {
          %a = memref.load %A[%i, %p] : memref<13x11xf32>
          %b = memref.load %B[%p, %j] : memref<11x35xf32>
          %ab = arith.mulf %a, %b : f32
          %s = arith.addf %acc, %ab : f32
          scf.yield %s : f32
        }
        memref.store %sum, %C[%i, %j] : memref<13x35xf32>
      }
    }
    return
  }
}
