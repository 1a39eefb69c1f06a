module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1024 = arith.constant 1024 : index
    %huge = arith.constant 1125899906842624 : index
    %half = arith.constant 0.5 : f32
    %zero = arith.constant 0.0 : f32
    %burn = scf.for %i = %c0 to %huge step %c1 iter_args(%acc = %zero) -> (f32) {
      %j = arith.remui %i, %c1024 : index
      %v = memref.load %x[%j] : memref<1024xf32>
      %h = arith.mulf %acc, %half : f32
      %n = arith.addf %h, %v : f32
      scf.yield %n : f32
    }
    %init = memref.load %out[%c0] : memref<1xf32>
    %r = scf.for %i = %c0 to %c1024 step %c1 iter_args(%s = %init) -> (f32) {
      %a = memref.load %x[%i] : memref<1024xf32>
      %n = arith.addf %s, %a : f32
      scf.yield %n : f32
    }
    %z = arith.mulf %burn, %zero : f32
    %res = arith.addf %r, %z : f32
    memref.store %res, %out[%c0] : memref<1xf32>
    return
  }
}
