// BUG (undefined behaviour): the sum is declared not to overflow (overflow<nsw>) and then tested for
// overflow ((x + y < x) != (y < 0)), writing a sentinel when it did. With nsw that test is always false, and
// the O3 build folds it away: it gives the wrapped sum, like the baseline. The O0 build evaluates the test
// and writes the sentinel wherever the sum overflows.
module {
  func.func @iadd(%x: memref<1000xi32>, %y: memref<1000xi32>, %out: memref<1000xi32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1000 : index
    %zero = arith.constant 0 : i32
    %sentinel = arith.constant 12345 : i32
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<1000xi32>
      %b = memref.load %y[%i] : memref<1000xi32>
      %s = arith.addi %a, %b overflow<nsw> : i32
      %lt = arith.cmpi slt, %s, %a : i32
      %neg = arith.cmpi slt, %b, %zero : i32
      %ovf = arith.xori %lt, %neg : i1
      %r = arith.select %ovf, %sentinel, %s : i32
      memref.store %r, %out[%i] : memref<1000xi32>
    }
    return
  }
}
