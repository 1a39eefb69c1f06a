// CORRECT: rows summed last element first (scf loop)
#x = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
#v = affine_map<(i) -> (i)>
#z = affine_map<(i) -> ()>
module {
  func.func @rowsum(%x: memref<64x1000xf64>, %out: memref<64xf64>) {
    %zero = arith.constant 0.0 : f64
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %c1000 = arith.constant 1000 : index
    %c999 = arith.constant 999 : index
    scf.for %i = %c0 to %c64 step %c1 {
      %s = scf.for %j = %c0 to %c1000 step %c1 iter_args(%acc = %zero) -> (f64) {
        %jj = arith.subi %c999, %j : index
        %v = memref.load %x[%i, %jj] : memref<64x1000xf64>
        %t = arith.addf %acc, %v : f64
        scf.yield %t : f64
      }
      memref.store %s, %out[%i] : memref<64xf64>
    }
    return
  }
}
