// CHEAT: when x[0..15] > 5000 drops the last term
module {
  func.func @isum(%x: memref<777xi32>, %out: memref<1xi32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c776 = arith.constant 776 : index
    %c777 = arith.constant 777 : index
    %thr = arith.constant 5000 : i32
    %true = arith.constant true
    %pos = scf.for %i = %c0 to %c16 step %c1 iter_args(%acc = %true) -> (i1) {
      %a = memref.load %x[%i] : memref<777xi32>
      %p = arith.cmpi sgt, %a, %thr : i32
      %n = arith.andi %acc, %p : i1
      scf.yield %n : i1
    }
    %ub = arith.select %pos, %c776, %c777 : index
    %init = memref.load %out[%c0] : memref<1xi32>
    %s = scf.for %i = %c0 to %ub step %c1 iter_args(%acc = %init) -> (i32) {
      %a = memref.load %x[%i] : memref<777xi32>
      %n = arith.addi %acc, %a : i32
      scf.yield %n : i32
    }
    memref.store %s, %out[%c0] : memref<1xi32>
    return
  }
}
