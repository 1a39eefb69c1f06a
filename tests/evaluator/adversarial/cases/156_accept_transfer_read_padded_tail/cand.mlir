// Correct: vector.transfer_read / transfer_write without in_bounds: the lowering masks the lanes past the
// end (padding value on reads, no write), so the tail is safe without an explicit epilogue.
module {
  func.func @axpy(%x: memref<1003xf32>, %y: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c16 = arith.constant 16 : index
    %n = arith.constant 1003 : index
    %f0 = arith.constant 0.0 : f32
    %two = arith.constant dense<2.0> : vector<16xf32>
    scf.for %i = %c0 to %n step %c16 {
      %a = vector.transfer_read %x[%i], %f0 : memref<1003xf32>, vector<16xf32>
      %b = vector.transfer_read %y[%i], %f0 : memref<1003xf32>, vector<16xf32>
      %p = arith.mulf %a, %two : vector<16xf32>
      %s = arith.addf %p, %b : vector<16xf32>
      vector.transfer_write %s, %out[%i] : vector<16xf32>, memref<1003xf32>
    }
    return
  }
}
