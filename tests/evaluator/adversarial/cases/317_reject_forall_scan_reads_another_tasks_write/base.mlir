// Inclusive prefix sum of 8192 f32, the running sum carried in a register.
module {
  func.func @cumsum(%x: memref<8192xf32>, %out: memref<8192xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 8192 : index
    %z = arith.constant 0.0 : f32
    %r = scf.for %j = %c0 to %n step %c1 iter_args(%acc = %z) -> (f32) {
      %v = memref.load %x[%j] : memref<8192xf32>
      %s = arith.addf %acc, %v : f32
      memref.store %s, %out[%j] : memref<8192xf32>
      scf.yield %s : f32
    }
    return
  }
}
