module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c1024 = arith.constant 1024 : index
    %init = memref.load %out[%c0] : memref<1xf32>
    %r = scf.for %i = %c0 to %c1024 step %c1 iter_args(%s = %init) -> (f32) {
      %a = memref.load %x[%i] : memref<1024xf32>
      %nan = arith.cmpf uno, %a, %a : f32
      %n = scf.if %nan -> (f32) {
        scf.yield %s : f32
      } else {
        %t = arith.addf %s, %a : f32
        scf.yield %t : f32
      }
      scf.yield %n : f32
    }
    memref.store %r, %out[%c0] : memref<1xf32>
    return
  }
}
