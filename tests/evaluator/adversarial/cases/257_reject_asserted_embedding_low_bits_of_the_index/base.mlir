// embedding gather with a bounds assertion (as torch-mlir emits): out[i, :] = table[idx[i], :], 0 <= idx < 64 asserted
module {
  func.func @emb(%table: memref<64x16xf32>, %idx: memref<128xi64>, %out: memref<128x16xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %n = arith.constant 128 : index
    %rows = arith.constant 64 : i64
    %z = arith.constant 0 : i64
    scf.for %i = %c0 to %n step %c1 {
      %k = memref.load %idx[%i] : memref<128xi64>
      %lt = arith.cmpi slt, %k, %rows : i64
      %ge = arith.cmpi sge, %k, %z : i64
      %ok = arith.andi %lt, %ge : i1
      cf.assert %ok, "index out of range"
      %j = arith.index_cast %k : i64 to index
      scf.for %d = %c0 to %c16 step %c1 {
        %v = memref.load %table[%j, %d] : memref<64x16xf32>
        memref.store %v, %out[%i, %d] : memref<128x16xf32>
      }
    }
    return
  }
}
