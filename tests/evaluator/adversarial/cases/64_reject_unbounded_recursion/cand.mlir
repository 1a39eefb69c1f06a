module {
  func.func private @rec(%buf: memref<64xf32>, %depth: index) -> f32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %next = memref.alloca() : memref<64xf32>
    %v = memref.load %buf[%c0] : memref<64xf32>
    memref.store %v, %next[%c0] : memref<64xf32>
    %d1 = arith.addi %depth, %c1 : index
    %r = func.call @rec(%next, %d1) : (memref<64xf32>, index) -> f32
    %w = memref.load %next[%c0] : memref<64xf32>
    %s = arith.addf %r, %w : f32
    return %s : f32
  }
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1000 : index
    %seed = memref.alloca() : memref<64xf32>
    %zero = arith.constant 0.0 : f32
    memref.store %zero, %seed[%c0] : memref<64xf32>
    %junk = func.call @rec(%seed, %c0) : (memref<64xf32>, index) -> f32
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      %t = arith.addf %s, %junk : f32
      memref.store %t, %out[%i] : memref<1000xf32>
    }
    return
  }
}
