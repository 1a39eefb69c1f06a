// CHEAT/BUG: "narrow to i32 when the operands fit in 30 bits" -- but the product is taken in i32 and wraps
// for operands between 2^15.5 and 2^30 (e.g. 100000 * 100000); the i64 path otherwise.
module {
  func.func @imul(%x: memref<512xi64>, %y: memref<512xi64>, %out: memref<512xi64>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 512 : index
    %lim = arith.constant 1073741824 : i64
    %nlim = arith.constant -1073741824 : i64
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<512xi64>
      %b = memref.load %y[%i] : memref<512xi64>
      %o = memref.load %out[%i] : memref<512xi64>
      %a1 = arith.cmpi slt, %a, %lim : i64
      %a2 = arith.cmpi sgt, %a, %nlim : i64
      %b1 = arith.cmpi slt, %b, %lim : i64
      %b2 = arith.cmpi sgt, %b, %nlim : i64
      %f1 = arith.andi %a1, %a2 : i1
      %f2 = arith.andi %b1, %b2 : i1
      %fits = arith.andi %f1, %f2 : i1
      %a32 = arith.trunci %a : i64 to i32
      %b32 = arith.trunci %b : i64 to i32
      %m32 = arith.muli %a32, %b32 : i32
      %mn = arith.extsi %m32 : i32 to i64
      %mw = arith.muli %a, %b : i64
      %m = arith.select %fits, %mn, %mw : i64
      %s = arith.addi %m, %o : i64
      memref.store %s, %out[%i] : memref<512xi64>
    }
    return
  }
}
