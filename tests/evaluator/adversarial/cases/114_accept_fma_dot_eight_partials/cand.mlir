module {
  func.func @dot(%x: memref<1024xf32>, %y: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c1024 = arith.constant 1024 : index
    %zero = arith.constant dense<0.0> : vector<8xf32>
    %acc = scf.for %i = %c0 to %c1024 step %c8 iter_args(%s = %zero) -> (vector<8xf32>) {
      %a = vector.load %x[%i] : memref<1024xf32>, vector<8xf32>
      %b = vector.load %y[%i] : memref<1024xf32>, vector<8xf32>
      %n = vector.fma %a, %b, %s : vector<8xf32>
      scf.yield %n : vector<8xf32>
    }
    %t = vector.reduction <add>, %acc : vector<8xf32> into f32
    %init = memref.load %out[%c0] : memref<1xf32>
    %r = arith.addf %init, %t : f32
    memref.store %r, %out[%c0] : memref<1xf32>
    return
  }
}
