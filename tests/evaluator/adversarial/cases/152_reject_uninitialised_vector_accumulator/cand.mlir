// BUG: a vector-typed stack accumulator (memref<vector<8xf32>>) that is never initialised; its garbage is
// summed into the result. At O3 LLVM may fold the first load of the fresh slot to anything.
module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %c1024 = arith.constant 1024 : index
    %acc = memref.alloca() : memref<vector<8xf32>>
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
