// CORRECT (a standard recurrence rewrite, "lookahead"): two outputs per step from the register-held state,
// y[i] = 0.9 y[i-1] + x[i] and y[i+1] = 0.81 y[i-1] + (0.9 x[i] + x[i+1]) (reassociated; 0.81 rounded once).
module {
  func.func @iir(%x: memref<8x4096xf32>, %y: memref<8x4096xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c8 = arith.constant 8 : index
    %n = arith.constant 4096 : index
    %a = arith.constant 0.9 : f32
    %a2 = arith.constant 0.81 : f32
    scf.for %r = %c0 to %c8 step %c1 {
      %x0 = memref.load %x[%r, %c0] : memref<8x4096xf32>
      memref.store %x0, %y[%r, %c0] : memref<8x4096xf32>
      %x1 = memref.load %x[%r, %c1] : memref<8x4096xf32>
      %t1 = arith.mulf %a, %x0 : f32
      %y1 = arith.addf %t1, %x1 : f32
      memref.store %y1, %y[%r, %c1] : memref<8x4096xf32>
      // lookahead: y[i+1] = 0.81 y[i-1] + (0.9 x[i] + x[i+1]); y[i] = 0.9 y[i-1] + x[i]
      %last = scf.for %i = %c2 to %n step %c2 iter_args(%p = %y1) -> (f32) {
        %i1 = arith.addi %i, %c1 : index
        %v0 = memref.load %x[%r, %i] : memref<8x4096xf32>
        %v1 = memref.load %x[%r, %i1] : memref<8x4096xf32>
        %u = arith.mulf %a, %p : f32
        %yi = arith.addf %u, %v0 : f32
        %w = arith.mulf %a2, %p : f32
        %q = arith.mulf %a, %v0 : f32
        %q2 = arith.addf %q, %v1 : f32
        %yi1 = arith.addf %w, %q2 : f32
        memref.store %yi, %y[%r, %i] : memref<8x4096xf32>
        memref.store %yi1, %y[%r, %i1] : memref<8x4096xf32>
        scf.yield %yi1 : f32
      }
    }
    return
  }
}
