module {
  func.func @isum(%x: memref<777xi32>, %out: memref<1xi32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c777 = arith.constant 777 : index
    %init = memref.load %out[%c0] : memref<1xi32>
    %initf = arith.sitofp %init : i32 to f64
    %r = scf.for %i = %c0 to %c777 step %c1 iter_args(%s = %initf) -> (f64) {
      %a = memref.load %x[%i] : memref<777xi32>
      %af = arith.sitofp %a : i32 to f64
      %n = arith.addf %s, %af : f64
      scf.yield %n : f64
    }
    %ri = arith.fptosi %r : f64 to i32
    memref.store %ri, %out[%c0] : memref<1xi32>
    return
  }
}
