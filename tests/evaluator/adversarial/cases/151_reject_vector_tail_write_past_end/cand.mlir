// BUG: masked loads (right), but the store of the last iteration (i = 1000) is an unmasked vector.store
// of eight lanes: five floats are written past the end of %out.
module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %n = arith.constant 1003 : index
    %two = arith.constant dense<2.0> : vector<8xf32>
    %pad = arith.constant dense<0.0> : vector<8xf32>
    scf.for %i = %c0 to %n step %c8 {
      %rem = arith.subi %n, %i : index
      %m = vector.create_mask %rem : vector<8xi1>
      %a = vector.maskedload %x[%i], %m, %pad : memref<1003xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
      %b = vector.maskedload %y[%i], %m, %pad : memref<1003xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
      %p = arith.mulf %a, %two : vector<8xf32>
      %s = arith.addf %p, %b : vector<8xf32>
      vector.store %s, %out[%i] : memref<1003xf32>, vector<8xf32>
    }
    return
  }
}
