module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c500 = arith.constant 500 : index
    %c999 = arith.constant 999 : index
    %c1000 = arith.constant 1000 : index
    %zero = arith.constant 0.0 : f32
    %o0 = memref.load %out[%c0] : memref<1000xf32>
    %isz = arith.cmpf oeq, %o0, %zero : f32
    %n = arith.select %isz, %c500, %c1000 : index
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      memref.store %s, %out[%i] : memref<1000xf32>
    }

    return
  }
}
