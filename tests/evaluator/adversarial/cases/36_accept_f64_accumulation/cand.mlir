module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1024 = arith.constant 1024 : index
    %init = memref.load %out[%c0] : memref<1xf32>
    %init64 = arith.extf %init : f32 to f64
    %r = scf.for %i = %c0 to %c1024 step %c1 iter_args(%s = %init64) -> (f64) {
      %a = memref.load %x[%i] : memref<1024xf32>
      %a64 = arith.extf %a : f32 to f64
      %n = arith.addf %s, %a64 : f64
      scf.yield %n : f64
    }
    %r32 = arith.truncf %r : f64 to f32
    memref.store %r32, %out[%c0] : memref<1xf32>
    return
  }
}
