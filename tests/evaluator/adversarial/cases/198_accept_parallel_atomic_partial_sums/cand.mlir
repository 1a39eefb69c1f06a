// CORRECT: a parallel reduction. Two scf.forall tasks each sum 389 of the 777 elements (the second 388) in a register and add
// their partial into out[0] with memref.atomic_rmw addi (wrapping i32 adds commute: the same bits whichever
// task adds first). Its lowering is llvm.atomicrmw.
module {
  func.func @isum(%x: memref<777xi32>, %out: memref<1xi32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c389 = arith.constant 389 : index
    %zero = arith.constant 0 : i32
    scf.forall (%t) in (2) {
      %lo = arith.muli %t, %c389 : index
      %end = arith.addi %lo, %c389 : index
      %c777 = arith.constant 777 : index
      %hi = arith.minsi %end, %c777 : index
      %p = scf.for %i = %lo to %hi step %c1 iter_args(%acc = %zero) -> (i32) {
        %a = memref.load %x[%i] : memref<777xi32>
        %s = arith.addi %acc, %a : i32
        scf.yield %s : i32
      }
      %old = memref.atomic_rmw addi %p, %out[%c0] : (i32, memref<1xi32>) -> i32
    } {neurojit.threads = 2 : i64}
    return
  }
}
