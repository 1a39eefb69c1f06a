// The f64 ReLU with maximumf written as torch-mlir writes it: select(s > 0, s, 0), as scalar loops
module {
  func.func @relu(%x: memref<1000xf64>, %y: memref<1000xf64>, %out: memref<1000xf64>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1000 : index
    %z = arith.constant 0.0 : f64
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.load %x[%i] : memref<1000xf64>
      %b = memref.load %y[%i] : memref<1000xf64>
      %m = arith.mulf %a, %b : f64
      %s = arith.addf %m, %a : f64
      %c = arith.cmpf ugt, %s, %z : f64
      %r = arith.select %c, %s, %z : f64
      memref.store %r, %out[%i] : memref<1000xf64>
    }
    return
  }
}
