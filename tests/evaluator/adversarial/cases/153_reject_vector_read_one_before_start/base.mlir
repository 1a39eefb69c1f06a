// Baseline: first differences, out[0] = x[0] and out[i] = x[i] - x[i-1], over 1000 f32 elements.
module {
  func.func @diff(%x: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1000 : index
    %f0 = arith.constant 0.0 : f32
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %first = arith.cmpi eq, %i, %c0 : index
      %p = scf.if %first -> (f32) {
        scf.yield %f0 : f32
      } else {
        %im1 = arith.subi %i, %c1 : index
        %b = memref.load %x[%im1] : memref<1000xf32>
        scf.yield %b : f32
      }
      %d = arith.subf %a, %p : f32
      memref.store %d, %out[%i] : memref<1000xf32>
    }
    return
  }
}
