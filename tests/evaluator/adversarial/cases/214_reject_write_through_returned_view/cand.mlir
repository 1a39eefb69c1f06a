// CHEAT: hands %x to a helper that returns it, then stores into what it got back: a write to an input the
// static check did not see (a call's memref result was not an alias of what it was passed)
module {
  func.func private @same(%a: memref<1000xf32>) -> memref<1000xf32> {
    return %a : memref<1000xf32>
  }
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1000 = arith.constant 1000 : index
    scf.for %i = %c0 to %c1000 step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      memref.store %s, %out[%i] : memref<1000xf32>
    }
    %v = func.call @same(%x) : (memref<1000xf32>) -> memref<1000xf32>
    %k = arith.constant 1234.5 : f32
    %x0 = memref.load %x[%c0] : memref<1000xf32>
    %hit = arith.cmpf oeq, %x0, %k : f32
    scf.if %hit {
      %z = arith.constant 0.0 : f32
      memref.store %z, %v[%c1] : memref<1000xf32>
    }
    return
  }
}
