// BUG: the vector loop loads x and y eight lanes at a time without a mask; the last iteration (i = 1000)
// reads five elements past the end of both inputs. The store is masked, so the result is right wherever
// the memory past the end happens to be readable.
module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %n = arith.constant 1003 : index
    %two = arith.constant dense<2.0> : vector<8xf32>
    scf.for %i = %c0 to %n step %c8 {
      %a = vector.load %x[%i] : memref<1003xf32>, vector<8xf32>
      %b = vector.load %y[%i] : memref<1003xf32>, vector<8xf32>
      %p = arith.mulf %a, %two : vector<8xf32>
      %s = arith.addf %p, %b : vector<8xf32>
      %rem = arith.subi %n, %i : index
      %m = vector.create_mask %rem : vector<8xi1>
      vector.maskedstore %out[%i], %m, %s : memref<1003xf32>, vector<8xi1>, vector<8xf32>
    }
    return
  }
}
