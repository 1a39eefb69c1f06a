module {
  func.func @isum(%x: memref<777xi32>, %out: memref<1xi32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %c4 = arith.constant 4 : index
    %c776 = arith.constant 776 : index
    %z = arith.constant 0 : i32
    %r:4 = scf.for %i = %c0 to %c776 step %c4 iter_args(%s0 = %z, %s1 = %z, %s2 = %z, %s3 = %z) -> (i32, i32, i32, i32) {
      %i1 = arith.addi %i, %c1 : index
      %i2 = arith.addi %i, %c2 : index
      %i3 = arith.addi %i, %c3 : index
      %a0 = memref.load %x[%i] : memref<777xi32>
      %a1 = memref.load %x[%i1] : memref<777xi32>
      %a2 = memref.load %x[%i2] : memref<777xi32>
      %a3 = memref.load %x[%i3] : memref<777xi32>
      %n0 = arith.addi %s0, %a0 : i32
      %n1 = arith.addi %s1, %a1 : i32
      %n2 = arith.addi %s2, %a2 : i32
      %n3 = arith.addi %s3, %a3 : i32
      scf.yield %n0, %n1, %n2, %n3 : i32, i32, i32, i32
    }
    %last = memref.load %x[%c776] : memref<777xi32>
    %t0 = arith.addi %r#0, %r#1 : i32
    %t1 = arith.addi %r#2, %r#3 : i32
    %t2 = arith.addi %t0, %t1 : i32
    %t3 = arith.addi %t2, %last : i32
    %init = memref.load %out[%c0] : memref<1xi32>
    %res = arith.addi %init, %t3 : i32
    memref.store %res, %out[%c0] : memref<1xi32>
    return
  }
}
