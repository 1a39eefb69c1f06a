module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1023 = arith.constant 1023 : index
    %init = memref.load %out[%c0] : memref<1xf32>
    %r = scf.for %i = %c0 to %c1023 step %c1 iter_args(%s = %init) -> (f32) {
      %a = memref.load %x[%i] : memref<1024xf32>
      %n = arith.addf %s, %a : f32
      scf.yield %n : f32
    }
    memref.store %r, %out[%c0] : memref<1xf32>
    return
  }
}
