// CORRECT: elementwise kernel as an scf.forall over 2 contiguous chunks of 500 (neurojit.threads = 2), each an
// inner scf.for with the baseline's expression: disjoint writes, bit-identical results.
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c1 = arith.constant 1 : index
    %c500 = arith.constant 500 : index
    scf.forall (%t) in (2) {
      %lo = arith.muli %t, %c500 : index
      %hi = arith.addi %lo, %c500 : index
      scf.for %i = %lo to %hi step %c1 {
        %a = memref.load %x[%i] : memref<1000xf32>
        %b = memref.load %y[%i] : memref<1000xf32>
        %m = arith.mulf %a, %b : f32
        %s = arith.addf %m, %a : f32
        memref.store %s, %out[%i] : memref<1000xf32>
      }
    } {neurojit.threads = 2 : i64}
    return
  }
}
