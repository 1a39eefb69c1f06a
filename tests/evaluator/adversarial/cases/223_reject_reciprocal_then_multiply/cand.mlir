// x / y + x as x * (1 / y) + x, 8 lanes with a masked tail (reciprocal-then-multiply).
module {
  func.func @ewdiv(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %n = arith.constant 1000 : index
    %one = arith.constant dense<1.0> : vector<8xf32>
    scf.for %i = %c0 to %n step %c8 {
      %a = vector.load %x[%i] : memref<1000xf32>, vector<8xf32>
      %b = vector.load %y[%i] : memref<1000xf32>, vector<8xf32>
      %r = arith.divf %one, %b : vector<8xf32>
      %q = arith.mulf %a, %r : vector<8xf32>
      %s = arith.addf %q, %a : vector<8xf32>
      vector.store %s, %out[%i] : memref<1000xf32>, vector<8xf32>
    }
    return
  }
}
