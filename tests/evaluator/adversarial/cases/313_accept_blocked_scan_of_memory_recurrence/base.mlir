// Inclusive prefix sum (cumsum) along rows of 16 x 1024, a recurrence through the output:
//   out[i, 0] = x[i, 0];  out[i, j] = out[i, j-1] + x[i, j].
module {
  func.func @cumsum(%x: memref<16x1024xf32>, %out: memref<16x1024xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c1024 = arith.constant 1024 : index
    scf.for %i = %c0 to %c16 step %c1 {
      %x0 = memref.load %x[%i, %c0] : memref<16x1024xf32>
      memref.store %x0, %out[%i, %c0] : memref<16x1024xf32>
      scf.for %j = %c1 to %c1024 step %c1 {
        %jm = arith.subi %j, %c1 : index
        %p = memref.load %out[%i, %jm] : memref<16x1024xf32>
        %v = memref.load %x[%i, %j] : memref<16x1024xf32>
        %s = arith.addf %p, %v : f32
        memref.store %s, %out[%i, %j] : memref<16x1024xf32>
      }
    }
    return
  }
}
