// Row sums as 8 lanes (vector.load over the first 296 columns, vector.reduction), the last 4 columns added,
// then a true division per element (no reciprocal: the sum may be tiny).
module {
  func.func @rownorm(%x: memref<16x300xf64>, %out: memref<16x300xf64>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c296 = arith.constant 296 : index
    %cols = arith.constant 300 : index
    %rows = arith.constant 16 : index
    %vz = arith.constant dense<0.0> : vector<8xf64>
    scf.for %i = %c0 to %rows step %c1 {
      %acc = scf.for %j = %c0 to %c296 step %c8 iter_args(%a = %vz) -> (vector<8xf64>) {
        %v = vector.load %x[%i, %j] : memref<16x300xf64>, vector<8xf64>
        %b = arith.addf %a, %v : vector<8xf64>
        scf.yield %b : vector<8xf64>
      }
      %s0 = vector.reduction <add>, %acc : vector<8xf64> into f64
      %s = scf.for %j = %c296 to %cols step %c1 iter_args(%a = %s0) -> (f64) {
        %v = memref.load %x[%i, %j] : memref<16x300xf64>
        %b = arith.addf %a, %v : f64
        scf.yield %b : f64
      }
      %sb = vector.broadcast %s : f64 to vector<4xf64>
      scf.for %j = %c0 to %cols step %c1 {
        %v = memref.load %x[%i, %j] : memref<16x300xf64>
        %d = arith.divf %v, %s : f64
        memref.store %d, %out[%i, %j] : memref<16x300xf64>
      }
    }
    return
  }
}
