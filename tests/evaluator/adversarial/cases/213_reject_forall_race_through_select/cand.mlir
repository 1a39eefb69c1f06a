module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %true = arith.constant true
    scf.forall (%t) in (16) {
      %o_alias = arith.select %true, %out, %out : memref<1xf32>
      %lo = arith.muli %t, %c64 : index
      %hi = arith.addi %lo, %c64 : index
      scf.for %i = %lo to %hi step %c1 {
        %a = memref.load %x[%i] : memref<1024xf32>
        %o = memref.load %o_alias[%c0] : memref<1xf32>
        %s = arith.addf %o, %a : f32
        memref.store %s, %o_alias[%c0] : memref<1xf32>
      }
    } {neurojit.threads = 2 : i64}
    return
  }
}
