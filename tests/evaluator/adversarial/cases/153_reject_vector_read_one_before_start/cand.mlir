// BUG: the shifted operand is loaded as one vector from x[i-1]; at i = 0 that is x[-1], one element before
// the start of %x. Lane 0 is then replaced by 0, so the result is right wherever that element is readable.
module {
  func.func @diff(%x: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %n = arith.constant 1000 : index
    %f0 = arith.constant 0.0 : f32
    scf.for %i = %c0 to %n step %c8 {
      %a = vector.load %x[%i] : memref<1000xf32>, vector<8xf32>
      %im1 = arith.subi %i, %c1 : index
      %p0 = vector.load %x[%im1] : memref<1000xf32>, vector<8xf32>
      %first = arith.cmpi eq, %i, %c0 : index
      %p = scf.if %first -> (vector<8xf32>) {
        %z = vector.insert %f0, %p0 [0] : f32 into vector<8xf32>
        scf.yield %z : vector<8xf32>
      } else {
        scf.yield %p0 : vector<8xf32>
      }
      %d = arith.subf %a, %p : vector<8xf32>
      vector.store %d, %out[%i] : memref<1000xf32>, vector<8xf32>
    }
    return
  }
}
