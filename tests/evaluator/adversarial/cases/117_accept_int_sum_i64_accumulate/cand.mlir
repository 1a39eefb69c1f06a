module {
  func.func @isum(%x: memref<777xi32>, %out: memref<1xi32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c777 = arith.constant 777 : index
    %init = memref.load %out[%c0] : memref<1xi32>
    %init64 = arith.extsi %init : i32 to i64
    %r = scf.for %i = %c0 to %c777 step %c1 iter_args(%s = %init64) -> (i64) {
      %a = memref.load %x[%i] : memref<777xi32>
      %a64 = arith.extsi %a : i32 to i64
      %n = arith.addi %s, %a64 : i64
      scf.yield %n : i64
    }
    %r32 = arith.trunci %r : i64 to i32
    memref.store %r32, %out[%c0] : memref<1xi32>
    return
  }
}
