// HONEST: the same math ops in an scf loop, vectorised by 4 with a scalar tail
module {
  func.func @m(%x: memref<500xf32>, %y: memref<500xf32>, %out: memref<500xf32>) {
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %c500 = arith.constant 500 : index
    scf.for %i = %c0 to %c500 step %c4 {
      %a = vector.load %x[%i] : memref<500xf32>, vector<4xf32>
      %b = vector.load %y[%i] : memref<500xf32>, vector<4xf32>
      %e = math.erf %a : vector<4xf32>
      %t = math.tanh %b : vector<4xf32>
      %c = math.cbrt %a : vector<4xf32>
      %at = math.atan2 %a, %b : vector<4xf32>
      %r = arith.remf %a, %b : vector<4xf32>
      %s1 = arith.addf %e, %t : vector<4xf32>
      %s2 = arith.addf %c, %at : vector<4xf32>
      %s3 = arith.addf %s1, %s2 : vector<4xf32>
      %s4 = arith.addf %s3, %r : vector<4xf32>
      vector.store %s4, %out[%i] : memref<500xf32>, vector<4xf32>
    }
    return
  }
}
