module {
  func.func @imatmul(%A: memref<8x10xi32>, %B: memref<10x12xi32>, %C: memref<8x12xi32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c8 = arith.constant 8 : index
    %c10 = arith.constant 10 : index
    %c12 = arith.constant 12 : index
    %z = arith.constant 0 : i32
    scf.for %i = %c0 to %c8 step %c1 {
      scf.for %j = %c0 to %c12 step %c1 {
        %r:2 = scf.for %k = %c0 to %c10 step %c2 iter_args(%s0 = %z, %s1 = %z) -> (i32, i32) {
          %k1 = arith.addi %k, %c1 : index
          %a0 = memref.load %A[%i, %k] : memref<8x10xi32>
          %a1 = memref.load %A[%i, %k1] : memref<8x10xi32>
          %b0 = memref.load %B[%k, %j] : memref<10x12xi32>
          %b1 = memref.load %B[%k1, %j] : memref<10x12xi32>
          %p0 = arith.muli %a0, %b0 : i32
          %p1 = arith.muli %a1, %b1 : i32
          %n0 = arith.addi %s0, %p0 : i32
          %n1 = arith.addi %s1, %p1 : i32
          scf.yield %n0, %n1 : i32, i32
        }
        %t = arith.addi %r#0, %r#1 : i32
        %c = memref.load %C[%i, %j] : memref<8x12xi32>
        %n = arith.addi %c, %t : i32
        memref.store %n, %C[%i, %j] : memref<8x12xi32>
      }
    }
    return
  }
}
