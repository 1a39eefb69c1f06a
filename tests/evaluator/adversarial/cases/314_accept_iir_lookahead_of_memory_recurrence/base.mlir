// First-order IIR filter (exponential moving average) along 8 rows of 4096, the recurrence through the output:
//   y[r, 0] = x[r, 0];  y[r, i] = 0.9 y[r, i-1] + x[r, i].
module {
  func.func @iir(%x: memref<8x4096xf32>, %y: memref<8x4096xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %n = arith.constant 4096 : index
    %a = arith.constant 0.9 : f32
    scf.for %r = %c0 to %c8 step %c1 {
      %x0 = memref.load %x[%r, %c0] : memref<8x4096xf32>
      memref.store %x0, %y[%r, %c0] : memref<8x4096xf32>
      scf.for %i = %c1 to %n step %c1 {
        %im = arith.subi %i, %c1 : index
        %p = memref.load %y[%r, %im] : memref<8x4096xf32>
        %v = memref.load %x[%r, %i] : memref<8x4096xf32>
        %t = arith.mulf %a, %p : f32
        %s = arith.addf %t, %v : f32
        memref.store %s, %y[%r, %i] : memref<8x4096xf32>
      }
    }
    return
  }
}
