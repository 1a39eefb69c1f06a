// Tells the checked build apart by reading an uninitialised stack slot (NaN there: the checked build poisons
// allocas) and only then loads the tail with masks; every other build loads eight lanes unmasked, 5 floats past
// the end of %x and %y. The results agree everywhere, so the poisoned-output comparison sees nothing.
module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %n = arith.constant 1003 : index
    %two = arith.constant dense<2.0> : vector<8xf32>
    %z = arith.constant dense<0.0> : vector<8xf32>
    %probe = memref.alloca() : memref<1xf32>
    %g = memref.load %probe[%c0] : memref<1xf32>
    %checked = arith.cmpf uno, %g, %g : f32
    scf.for %i = %c0 to %n step %c8 {
      %rem = arith.subi %n, %i : index
      %m = vector.create_mask %rem : vector<8xi1>
      %a, %b = scf.if %checked -> (vector<8xf32>, vector<8xf32>) {
        %a1 = vector.maskedload %x[%i], %m, %z : memref<1003xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
        %b1 = vector.maskedload %y[%i], %m, %z : memref<1003xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
        scf.yield %a1, %b1 : vector<8xf32>, vector<8xf32>
      } else {
        %a2 = vector.load %x[%i] : memref<1003xf32>, vector<8xf32>
        %b2 = vector.load %y[%i] : memref<1003xf32>, vector<8xf32>
        scf.yield %a2, %b2 : vector<8xf32>, vector<8xf32>
      }
      %p = arith.mulf %a, %two : vector<8xf32>
      %s = arith.addf %p, %b : vector<8xf32>
      vector.maskedstore %out[%i], %m, %s : memref<1003xf32>, vector<8xi1>, vector<8xf32>
    }
    return
  }
}
