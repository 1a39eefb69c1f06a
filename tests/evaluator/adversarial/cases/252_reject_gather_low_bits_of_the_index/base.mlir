// Baseline: embedding-style gather out[i] = table[idx[i]], table of 64 rows
module {
  func.func @gather(%table: memref<64xf32>, %idx: memref<256xi32>, %out: memref<256xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 256 : index
    scf.for %i = %c0 to %n step %c1 {
      %k = memref.load %idx[%i] : memref<256xi32>
      %j = arith.index_cast %k : i32 to index
      %v = memref.load %table[%j] : memref<64xf32>
      memref.store %v, %out[%i] : memref<256xf32>
    }
    return
  }
}
