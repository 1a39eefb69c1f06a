// CORRECT: a two-pass blocked scan. Pass 1: each of 8 tasks (scf.forall from 0 to 8192 step 1024) sums its
// block into a local total and scans it from 0; pass 2 (scf.parallel, lower bound 1, step 1) adds the sum of
// all earlier blocks' totals, each task reading only the totals pass 1 wrote: independent tasks in any order.
module {
  func.func @cumsum(%x: memref<8192xf32>, %out: memref<8192xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c1024 = arith.constant 1024 : index
    %z = arith.constant 0.0 : f32
    %tot = memref.alloca() : memref<8xf32>
    scf.forall (%base) = (0) to (8192) step (1024) {
      %t = scf.for %j = %c0 to %c1024 step %c1 iter_args(%acc = %z) -> (f32) {
        %k = arith.addi %base, %j : index
        %v = memref.load %x[%k] : memref<8192xf32>
        %s = arith.addf %acc, %v : f32
        memref.store %s, %out[%k] : memref<8192xf32>
        scf.yield %s : f32
      }
      %b = arith.divui %base, %c1024 : index
      memref.store %t, %tot[%b] : memref<8xf32>
    }
    scf.parallel (%b) = (%c1) to (%c8) step (%c1) {
      %off = scf.for %p = %c0 to %b step %c1 iter_args(%acc = %z) -> (f32) {
        %v = memref.load %tot[%p] : memref<8xf32>
        %s = arith.addf %acc, %v : f32
        scf.yield %s : f32
      }
      %base = arith.muli %b, %c1024 : index
      scf.for %j = %c0 to %c1024 step %c1 {
        %k = arith.addi %base, %j : index
        %v = memref.load %out[%k] : memref<8192xf32>
        %s = arith.addf %off, %v : f32
        memref.store %s, %out[%k] : memref<8192xf32>
      }
      scf.reduce
    }
    return
  }
}
