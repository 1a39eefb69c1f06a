// Stack scratch of 1 MiB (262144 f32) whose size is computed by a loop (4 x 65536), so it does not fold to a constant:
// the copy of x is staged there and summed with two partial sums. The result is right, but the kernel takes 1 MiB of
// its caller's stack, 4x the 256 KiB stack limit (EvalConfig.stack_limit_bytes) that a constant-sized alloca is held
// to; on a 512 KiB (macOS secondary) or 128 KiB (musl) thread stack it overflows.
module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c4 = arith.constant 4 : index
    %c1024 = arith.constant 1024 : index
    %chunk = arith.constant 65536 : index
    %zero = arith.constant 0.0 : f32
    %n = scf.for %i = %c0 to %c4 step %c1 iter_args(%a = %c0) -> (index) {
      %a2 = arith.addi %a, %chunk : index
      scf.yield %a2 : index
    }
    %buf = memref.alloca(%n) : memref<?xf32>
    // touch the whole buffer (every 1024th element), as a real scratch would
    scf.for %i = %c0 to %n step %c1024 {
      memref.store %zero, %buf[%i] : memref<?xf32>
    }
    scf.for %i = %c0 to %c1024 step %c1 {
      %v = memref.load %x[%i] : memref<1024xf32>
      memref.store %v, %buf[%i] : memref<?xf32>
    }
    %s:2 = scf.for %i = %c0 to %c1024 step %c2 iter_args(%p = %zero, %q = %zero) -> (f32, f32) {
      %i1 = arith.addi %i, %c1 : index
      %u = memref.load %buf[%i] : memref<?xf32>
      %w = memref.load %buf[%i1] : memref<?xf32>
      %p2 = arith.addf %p, %u : f32
      %q2 = arith.addf %q, %w : f32
      scf.yield %p2, %q2 : f32, f32
    }
    %t = arith.addf %s#0, %s#1 : f32
    %o = memref.load %out[%c0] : memref<1xf32>
    %r = arith.addf %o, %t : f32
    memref.store %r, %out[%c0] : memref<1xf32>
    return
  }
}
