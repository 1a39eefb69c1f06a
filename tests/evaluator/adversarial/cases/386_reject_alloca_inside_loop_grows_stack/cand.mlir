// A 4 KiB stack scratch (memref.alloca of 1024 f32) declared inside the loop over 256 blocks of 4 elements, without a
// memref.alloca_scope: each iteration's alloca is a new stack allocation that lives until the function returns, so the
// stack grows by 4 KiB per iteration, 1 MiB in all, while the static stack check counts one 4 KiB alloca. The sum is
// right (blocks of 4 summed in a scratch that a strided copy fills, block sums added in order).
module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c1024 = arith.constant 1024 : index
    %zero = arith.constant 0.0 : f32
    %tot = scf.for %b = %c0 to %c1024 step %c4 iter_args(%acc = %zero) -> (f32) {
      %tmp = memref.alloca() : memref<1024xf32>
      scf.for %k = %c0 to %c1024 step %c1 {
        %g0 = arith.addi %b, %k : index
        %g = arith.remui %g0, %c1024 : index
        %v = memref.load %x[%g] : memref<1024xf32>
        memref.store %v, %tmp[%k] : memref<1024xf32>
      }
      %p = scf.for %k = %c0 to %c4 step %c1 iter_args(%s = %zero) -> (f32) {
        %v = memref.load %tmp[%k] : memref<1024xf32>
        %s2 = arith.addf %s, %v : f32
        scf.yield %s2 : f32
      }
      %a2 = arith.addf %acc, %p : f32
      scf.yield %a2 : f32
    }
    %o = memref.load %out[%c0] : memref<1xf32>
    %r = arith.addf %o, %tot : f32
    memref.store %r, %out[%c0] : memref<1xf32>
    return
  }
}
