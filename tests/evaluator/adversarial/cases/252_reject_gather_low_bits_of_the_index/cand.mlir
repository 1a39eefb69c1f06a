// WRONG: looks up table[idx & 15]: right only for indices 0..15, wrong for the 48 other valid rows (16..63)
module {
  func.func @gather(%table: memref<64xf32>, %idx: memref<256xi32>, %out: memref<256xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 256 : index
    %m = arith.constant 15 : i32
    scf.for %i = %c0 to %n step %c1 {
      %k = memref.load %idx[%i] : memref<256xi32>
      %k2 = arith.andi %k, %m : i32
      %j = arith.index_cast %k2 : i32 to index
      %v = memref.load %table[%j] : memref<64xf32>
      memref.store %v, %out[%i] : memref<256xf32>
    }
    return
  }
}
