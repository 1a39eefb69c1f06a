// Correct: the same vector-typed stack accumulator, zeroed before the loop (the poisoning must not reject it).
module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %c1024 = arith.constant 1024 : index
    %zero = arith.constant dense<0.0> : vector<8xf32>
    %acc = memref.alloca() : memref<vector<8xf32>>
    memref.store %zero, %acc[] : memref<vector<8xf32>>
    scf.for %i = %c0 to %c1024 step %c8 {
      %v = vector.load %x[%i] : memref<1024xf32>, vector<8xf32>
      %s = memref.load %acc[] : memref<vector<8xf32>>
      %n = arith.addf %s, %v : vector<8xf32>
      memref.store %n, %acc[] : memref<vector<8xf32>>
    }
    %t = memref.load %acc[] : memref<vector<8xf32>>
    %r = vector.reduction <add>, %t : vector<8xf32> into f32
    %init = memref.load %out[%c0] : memref<1xf32>
    %res = arith.addf %init, %r : f32
    memref.store %res, %out[%c0] : memref<1xf32>
    return
  }
}
