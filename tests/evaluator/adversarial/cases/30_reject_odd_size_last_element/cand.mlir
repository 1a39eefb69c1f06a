// BUG: pairwise loop with no remainder handling; out[998] is left untouched.
module {
  func.func @ew(%x: memref<999xf32>, %y: memref<999xf32>, %out: memref<999xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %n = arith.constant 999 : index
    %half = arith.divui %n, %c2 : index
    %ub = arith.muli %half, %c2 : index
    scf.for %i = %c0 to %ub step %c2 {
      %i1 = arith.addi %i, %c1 : index
      %a0 = memref.load %x[%i] : memref<999xf32>
      %b0 = memref.load %y[%i] : memref<999xf32>
      %m0 = arith.mulf %a0, %b0 : f32
      %s0 = arith.addf %m0, %a0 : f32
      memref.store %s0, %out[%i] : memref<999xf32>
      %a1 = memref.load %x[%i1] : memref<999xf32>
      %b1 = memref.load %y[%i1] : memref<999xf32>
      %m1 = arith.mulf %a1, %b1 : f32
      %s1 = arith.addf %m1, %a1 : f32
      memref.store %s1, %out[%i1] : memref<999xf32>
    }
    return
  }
}
