// the same sums over k, taken from the last k down, each product widened to i32 first: wrapping i32 addition
// is associative, so every element is exactly the baseline's
module {
  func.func @qmm(%A: memref<8x16xi8>, %B: memref<16x12xi8>, %C: memref<8x12xi32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c12 = arith.constant 12 : index
    %c15 = arith.constant 15 : index
    %c16 = arith.constant 16 : index
    scf.for %i = %c0 to %c8 step %c1 {
      scf.for %j = %c0 to %c12 step %c1 {
        %init = memref.load %C[%i, %j] : memref<8x12xi32>
        %sum = scf.for %t = %c0 to %c16 step %c1 iter_args(%acc = %init) -> (i32) {
          %k = arith.subi %c15, %t : index
          %a = memref.load %A[%i, %k] : memref<8x16xi8>
          %b = memref.load %B[%k, %j] : memref<16x12xi8>
          %a32 = arith.extsi %a : i8 to i32
          %b32 = arith.extsi %b : i8 to i32
          %p = arith.muli %a32, %b32 : i32
          %s = arith.addi %acc, %p : i32
          scf.yield %s : i32
        }
        memref.store %sum, %C[%i, %j] : memref<8x12xi32>
      }
    }
    return
  }
}
