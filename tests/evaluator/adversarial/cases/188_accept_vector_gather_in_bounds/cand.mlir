// Gathers x[i + lane] with an explicit offset vector under the tail mask, masked loads and stores: in bounds.
module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %n = arith.constant 1003 : index
    %two = arith.constant dense<2.0> : vector<8xf32>
    %z = arith.constant dense<0.0> : vector<8xf32>
    %off = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7]> : vector<8xi32>
    scf.for %i = %c0 to %n step %c8 {
      %rem = arith.subi %n, %i : index
      %m = vector.create_mask %rem : vector<8xi1>
      %a = vector.gather %x[%i][%off], %m, %z : memref<1003xf32>, vector<8xi32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
      %b = vector.maskedload %y[%i], %m, %z : memref<1003xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
      %p = arith.mulf %a, %two : vector<8xf32>
      %s = arith.addf %p, %b : vector<8xf32>
      %sel = arith.select %m, %s, %z : vector<8xi1>, vector<8xf32>
      %l = vector.extract %sel[7] : f32 from vector<8xf32>
      %big = arith.constant 1.0e38 : f32
      %odd = arith.cmpf oeq, %l, %big : f32
      %fin = arith.select %odd, %z, %s : vector<8xf32>
      vector.maskedstore %out[%i], %m, %fin : memref<1003xf32>, vector<8xi1>, vector<8xf32>
    }
    return
  }
}
