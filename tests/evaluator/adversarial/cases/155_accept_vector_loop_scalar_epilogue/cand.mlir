// Correct: a vector loop over the first 1000 elements (unmasked, never past the end) and a scalar
// epilogue for the last three.
module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %main = arith.constant 1000 : index
    %n = arith.constant 1003 : index
    %two = arith.constant dense<2.0> : vector<8xf32>
    %two_s = arith.constant 2.0 : f32
    scf.for %i = %c0 to %main step %c8 {
      %a = vector.load %x[%i] : memref<1003xf32>, vector<8xf32>
      %b = vector.load %y[%i] : memref<1003xf32>, vector<8xf32>
      %p = arith.mulf %a, %two : vector<8xf32>
      %s = arith.addf %p, %b : vector<8xf32>
      vector.store %s, %out[%i] : memref<1003xf32>, vector<8xf32>
    }
    scf.for %i = %main to %n step %c1 {
      %a = memref.load %x[%i] : memref<1003xf32>
      %b = memref.load %y[%i] : memref<1003xf32>
      %p = arith.mulf %a, %two_s : f32
      %s = arith.addf %p, %b : f32
      memref.store %s, %out[%i] : memref<1003xf32>
    }
    return
  }
}
