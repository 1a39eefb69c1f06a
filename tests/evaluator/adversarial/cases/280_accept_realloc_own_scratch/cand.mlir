// HONEST: grows its own scratch buffer with memref.realloc (the source is consumed), then frees the result once
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1000 = arith.constant 1000 : index
    %small = memref.alloc() : memref<16xf32>
    %t = memref.realloc %small : memref<16xf32> to memref<1000xf32>
    scf.for %i = %c0 to %c1000 step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      memref.store %m, %t[%i] : memref<1000xf32>
    }
    scf.for %i = %c0 to %c1000 step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %m = memref.load %t[%i] : memref<1000xf32>
      %s = arith.addf %m, %a : f32
      memref.store %s, %out[%i] : memref<1000xf32>
    }
    memref.dealloc %t : memref<1000xf32>
    return
  }
}
