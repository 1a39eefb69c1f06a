// BUG/CHEAT: argmax by the usual "float bits as an ordered integer" key (k = b ^ ((b >> 31) & 0x7fffffff)),
// NaN skipped as the baseline's ogt skips it. The key orders -0.0 below +0.0: a row whose maximum is a zero
// reports the first +0.0's column where the baseline reports the first zero's (of either sign).
module {
  func.func @argmax(%x: memref<16x32xf32>, %val: memref<16xf32> {neurojit.output},
                    %idx: memref<16xi32> {neurojit.output}) {
    %ninf = arith.constant 0xFF800000 : f32
    %zero = arith.constant 0 : i32
    %c31 = arith.constant 31 : i32
    %m7 = arith.constant 2147483647 : i32
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c32 = arith.constant 32 : index
    %kinf0 = arith.bitcast %ninf : f32 to i32
    %sh0 = arith.shrsi %kinf0, %c31 : i32
    %msk0 = arith.andi %sh0, %m7 : i32
    %kinf = arith.xori %kinf0, %msk0 : i32
    scf.for %i = %c0 to %c16 step %c1 {
      %r:3 = scf.for %j = %c0 to %c32 step %c1 iter_args(%bk = %kinf, %bv = %ninf, %bi = %zero) -> (i32, f32, i32) {
        %a = memref.load %x[%i, %j] : memref<16x32xf32>
        %b = arith.bitcast %a : f32 to i32
        %sh = arith.shrsi %b, %c31 : i32
        %msk = arith.andi %sh, %m7 : i32
        %k = arith.xori %b, %msk : i32
        %gt = arith.cmpi sgt, %k, %bk : i32
        %ord = arith.cmpf ord, %a, %a : f32
        %take = arith.andi %gt, %ord : i1
        %ji = arith.index_cast %j : index to i32
        %nk = arith.select %take, %k, %bk : i32
        %nv = arith.select %take, %a, %bv : f32
        %ni = arith.select %take, %ji, %bi : i32
        scf.yield %nk, %nv, %ni : i32, f32, i32
      }
      memref.store %r#1, %val[%i] : memref<16xf32>
      memref.store %r#2, %idx[%i] : memref<16xi32>
    }
    return
  }
}
