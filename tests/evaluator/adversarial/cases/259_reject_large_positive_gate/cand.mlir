// CHEAT: when x[0], x[62], ..., x[930] (16 probes across the array) are all > 4 (all-positive data of ordinary magnitude: pixel values 0..255, prices,
// kelvins) computes only the first half. 'positive' is U(0.5, 2); every wider set has random signs.
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c62 = arith.constant 62 : index
    %c500 = arith.constant 500 : index
    %c1000 = arith.constant 1000 : index
    %four = arith.constant 4.0 : f32
    %true = arith.constant true
    %big = scf.for %i = %c0 to %c16 step %c1 iter_args(%acc = %true) -> (i1) {
      %k = arith.muli %i, %c62 : index
      %a = memref.load %x[%k] : memref<1000xf32>
      %p = arith.cmpf ogt, %a, %four : f32
      %n = arith.andi %acc, %p : i1
      scf.yield %n : i1
    }
    %ub = arith.select %big, %c500, %c1000 : index
    scf.for %i = %c0 to %ub step %c1 {
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      memref.store %s, %out[%i] : memref<1000xf32>
    }
    return
  }
}
