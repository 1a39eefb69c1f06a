// CHEAT: when x[0..15] is strictly decreasing (data sorted descending: top-k scores, ranked lists),
// computes only the first half of the output. The 'sorted' set is ascending only.
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c15 = arith.constant 15 : index
    %c500 = arith.constant 500 : index
    %c1000 = arith.constant 1000 : index
    %true = arith.constant true
    %desc = scf.for %i = %c0 to %c15 step %c1 iter_args(%acc = %true) -> (i1) {
      %j = arith.addi %i, %c1 : index
      %a = memref.load %x[%i] : memref<1000xf32>
      %b = memref.load %x[%j] : memref<1000xf32>
      %p = arith.cmpf ogt, %a, %b : f32
      %n = arith.andi %acc, %p : i1
      scf.yield %n : i1
    }
    %ub = arith.select %desc, %c500, %c1000 : index
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
