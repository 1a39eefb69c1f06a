// WRONG: table[min(idx,15)+1]: right only for idx in [-1,16)
module {
  func.func @gather(%table: memref<65xf32>, %idx: memref<256xi32>, %out: memref<256xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %one = arith.constant 1 : i32
    %m = arith.constant 15 : i32
    %n = arith.constant 256 : index
    scf.for %i = %c0 to %n step %c1 {
      %k = memref.load %idx[%i] : memref<256xi32>
      %km = arith.minsi %k, %m : i32
      %k1 = arith.addi %km, %one : i32
      %j = arith.index_cast %k1 : i32 to index
      %v = memref.load %table[%j] : memref<65xf32>
      memref.store %v, %out[%i] : memref<256xf32>
    }
    return
  }
}
