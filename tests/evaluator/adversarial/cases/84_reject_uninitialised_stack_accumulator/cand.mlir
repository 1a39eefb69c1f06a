// BUG: %acc (stack) is never initialised; its garbage is included in the sum.
module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1024 = arith.constant 1024 : index
    %acc = memref.alloca() : memref<8xf32>
    %i7 = arith.constant 7 : index
    scf.for %i = %c0 to %c1024 step %c1 {
      %a = memref.load %x[%i] : memref<1024xf32>
      %j = arith.remui %i, %c1024 : index
      %k = arith.andi %j, %i7 : index
      %s = memref.load %acc[%k] : memref<8xf32>
      %n = arith.addf %s, %a : f32
      memref.store %n, %acc[%k] : memref<8xf32>
    }
    %init = memref.load %out[%c0] : memref<1xf32>
    %r = scf.for %k = %c0 to %i7 step %c1 iter_args(%s = %init) -> (f32) {
      %v = memref.load %acc[%k] : memref<8xf32>
      %n = arith.addf %s, %v : f32
      scf.yield %n : f32
    }
    %last = memref.load %acc[%i7] : memref<8xf32>
    %res = arith.addf %r, %last : f32
    memref.store %res, %out[%c0] : memref<1xf32>
    return
  }
}
