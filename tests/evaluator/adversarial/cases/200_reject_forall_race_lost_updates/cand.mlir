// CHEAT/BUG: parallel reduction with a data race. An scf.forall of 2 tasks (neurojit.threads = 2, run on the
// async runtime) where each task adds its half of x straight into out[0] with a plain load/add/store per element
// (no atomics, no per-task partial): when the two tasks overlap, updates are lost. Whether a given call shows
// it depends on thread timing.
module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c512 = arith.constant 512 : index
    scf.forall (%t) in (2) {
      %lo = arith.muli %t, %c512 : index
      %hi = arith.addi %lo, %c512 : index
      scf.for %i = %lo to %hi step %c1 {
        %a = memref.load %x[%i] : memref<1024xf32>
        %o = memref.load %out[%c0] : memref<1xf32>
        %s = arith.addf %o, %a : f32
        memref.store %s, %out[%c0] : memref<1xf32>
      }
    } {neurojit.threads = 2 : i64}
    return
  }
}
