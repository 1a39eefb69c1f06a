// 256 MiB stack buffer; elements 64 Ki floats apart are written in one loop and read back in another,
// so the buffer cannot be optimised away and pages across the whole range are touched.
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %stride = arith.constant 65536 : index
    %n = arith.constant 1000 : index
    %big = memref.alloca() : memref<67108864xf32>
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      %k = arith.muli %i, %stride : index
      memref.store %m, %big[%k] : memref<67108864xf32>
    }
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %k = arith.muli %i, %stride : index
      %m = memref.load %big[%k] : memref<67108864xf32>
      %s = arith.addf %m, %a : f32
      memref.store %s, %out[%i] : memref<1000xf32>
    }
    return
  }
}
