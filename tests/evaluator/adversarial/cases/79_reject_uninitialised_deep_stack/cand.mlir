// BUG: the 8 accumulators live at the deep end of a 2 MiB stack scratch buffer and are never
// initialised. Fresh stack pages are zero, so the normal build usually gets the right answer: only
// a build that poisons fresh memory shows the read.
module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c1024 = arith.constant 1024 : index
    %scratch = memref.alloca() : memref<524288xf32>
    scf.for %i = %c0 to %c1024 step %c1 {
      %a = memref.load %x[%i] : memref<1024xf32>
      %k = arith.remui %i, %c8 : index
      %s = memref.load %scratch[%k] : memref<524288xf32>
      %n = arith.addf %s, %a : f32
      memref.store %n, %scratch[%k] : memref<524288xf32>
    }
    %init = memref.load %out[%c0] : memref<1xf32>
    %r = scf.for %k = %c0 to %c8 step %c1 iter_args(%s = %init) -> (f32) {
      %v = memref.load %scratch[%k] : memref<524288xf32>
      %n = arith.addf %s, %v : f32
      scf.yield %n : f32
    }
    memref.store %r, %out[%c0] : memref<1xf32>
    return
  }
}
