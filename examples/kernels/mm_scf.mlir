// C += A x B written as plain scf loops, the way one writes it by hand in MLIR: the sum over k carried
// in a register (iter_args), one load of C before and one store after.
module {
  func.func @mm_scf(%A: memref<200x150xf32>, %B: memref<150x170xf32>, %C: memref<200x170xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %m = arith.constant 200 : index
    %n = arith.constant 170 : index
    %k = arith.constant 150 : index
    scf.for %i = %c0 to %m step %c1 {
      scf.for %j = %c0 to %n step %c1 {
        %init = memref.load %C[%i, %j] : memref<200x170xf32>
        %sum = scf.for %p = %c0 to %k step %c1 iter_args(%acc = %init) -> (f32) {
          %a = memref.load %A[%i, %p] : memref<200x150xf32>
          %b = memref.load %B[%p, %j] : memref<150x170xf32>
          %ab = arith.mulf %a, %b : f32
          %s = arith.addf %acc, %ab : f32
          scf.yield %s : f32
        }
        memref.store %sum, %C[%i, %j] : memref<200x170xf32>
      }
    }
    return
  }
}
