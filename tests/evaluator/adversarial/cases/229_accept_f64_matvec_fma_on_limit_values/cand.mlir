// f64 matvec, 4 lanes of FMA partial sums (vector.fma) over the first 256 columns, lanes reduced, then the
// last column and y's initial value added.
module {
  func.func @matvec(%A: memref<33x257xf64>, %x: memref<257xf64>, %y: memref<33xf64>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c256 = arith.constant 256 : index
    %rows = arith.constant 33 : index
    %vz = arith.constant dense<0.0> : vector<4xf64>
    scf.for %i = %c0 to %rows step %c1 {
      %acc = scf.for %j = %c0 to %c256 step %c4 iter_args(%a = %vz) -> (vector<4xf64>) {
        %av = vector.load %A[%i, %j] : memref<33x257xf64>, vector<4xf64>
        %xv = vector.load %x[%j] : memref<257xf64>, vector<4xf64>
        %f = vector.fma %av, %xv, %a : vector<4xf64>
        scf.yield %f : vector<4xf64>
      }
      %s = vector.reduction <add>, %acc : vector<4xf64> into f64
      %al = memref.load %A[%i, %c256] : memref<33x257xf64>
      %xl = memref.load %x[%c256] : memref<257xf64>
      %s2 = math.fma %al, %xl, %s : f64
      %y0 = memref.load %y[%i] : memref<33xf64>
      %r = arith.addf %y0, %s2 : f64
      memref.store %r, %y[%i] : memref<33xf64>
    }
    return
  }
}
