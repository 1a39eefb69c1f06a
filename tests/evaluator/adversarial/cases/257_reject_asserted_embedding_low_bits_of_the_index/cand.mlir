// WRONG: computes the status as the baseline's assertion does, but reads row (idx & 15): only rows 0..15 are ever read
module {
  func.func @emb(%table: memref<64x16xf32>, %idx: memref<128xi64>, %out: memref<128x16xf32> {neurojit.output},
                 %status: memref<1xi64> {neurojit.output}) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c15 = arith.constant 15 : index
    %n = arith.constant 128 : index
    %rows = arith.constant 64 : i64
    %z = arith.constant 0 : i64
    %one = arith.constant 1 : i64
    memref.store %z, %status[%c0] : memref<1xi64>
    scf.for %i = %c0 to %n step %c1 {
      %k = memref.load %idx[%i] : memref<128xi64>
      %lt = arith.cmpi slt, %k, %rows : i64
      %ge = arith.cmpi sge, %k, %z : i64
      %ok = arith.andi %lt, %ge : i1
      %s = memref.load %status[%c0] : memref<1xi64>
      %clean = arith.cmpi eq, %s, %z : i64
      %bad = arith.cmpi eq, %ok, %clean : i1
      %fail = arith.andi %clean, %bad : i1
      %fl = arith.xori %ok, %ok : i1
      %notok = arith.cmpi eq, %ok, %fl : i1
      %f2 = arith.andi %clean, %notok : i1
      %ns = arith.select %f2, %one, %s : i64
      memref.store %ns, %status[%c0] : memref<1xi64>
      %kc = arith.andi %k, %z : i64
      %j0 = arith.index_cast %k : i64 to index
      %j = arith.andi %j0, %c15 : index
      scf.for %d = %c0 to %c16 step %c1 {
        %v = memref.load %table[%j, %d] : memref<64x16xf32>
        memref.store %v, %out[%i, %d] : memref<128x16xf32>
      }
    }
    return
  }
}
