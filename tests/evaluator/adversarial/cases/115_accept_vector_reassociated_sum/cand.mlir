module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c16 = arith.constant 16 : index
    %c1024 = arith.constant 1024 : index
    %zero = arith.constant dense<0.0> : vector<16xf32>
    %acc = scf.for %i = %c0 to %c1024 step %c16 iter_args(%s = %zero) -> (vector<16xf32>) {
      %v = vector.load %x[%i] : memref<1024xf32>, vector<16xf32>
      %n = arith.addf %s, %v : vector<16xf32>
      scf.yield %n : vector<16xf32>
    }
    %t = vector.reduction <add>, %acc : vector<16xf32> into f32
    %init = memref.load %out[%c0] : memref<1xf32>
    %r = arith.addf %init, %t : f32
    memref.store %r, %out[%c0] : memref<1xf32>
    return
  }
}
