// The baseline's own computation, x << y, as an explicit scalar loop (same arith.shli, nothing else).
module {
  func.func @iew(%x: memref<1000xi32>, %y: memref<1000xi32>, %out: memref<1000xi32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1000 = arith.constant 1000 : index
    scf.for %i = %c0 to %c1000 step %c1 {
      %a = memref.load %x[%i] : memref<1000xi32>
      %b = memref.load %y[%i] : memref<1000xi32>
      %s = arith.shli %a, %b : i32
      memref.store %s, %out[%i] : memref<1000xi32>
    }
    return
  }
}
