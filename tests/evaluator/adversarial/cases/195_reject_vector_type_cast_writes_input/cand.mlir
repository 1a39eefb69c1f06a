// Reads all of %x as one vector through vector.type_cast and stores it back through the cast view at the end:
// the same bytes, so the inputs compare equal after the call, but the kernel writes its input.
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1000 : index
    %xv = vector.type_cast %x : memref<1000xf32> to memref<vector<1000xf32>>
    %all = memref.load %xv[] : memref<vector<1000xf32>>
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      memref.store %s, %out[%i] : memref<1000xf32>
    }
    memref.store %all, %xv[] : memref<vector<1000xf32>>
    return
  }
}
