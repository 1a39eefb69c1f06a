// CORRECT: same f16 quantisation of x, the 128-term dot products summed in 8 interleaved lanes, then the lanes
// added pairwise and to out[i] (a legal reassociation, as vectorisation does)
module {
  func.func @mvq(%x: memref<64x128xf32>, %w: memref<128xf32>, %out: memref<64xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c64 = arith.constant 64 : index
    %c128 = arith.constant 128 : index
    %zv = arith.constant dense<0.0> : vector<8xf32>
    scf.for %i = %c0 to %c64 step %c1 {
      %acc = scf.for %k = %c0 to %c128 step %c8 iter_args(%a = %zv) -> (vector<8xf32>) {
        %xv = vector.load %x[%i, %k] : memref<64x128xf32>, vector<8xf32>
        %q = arith.truncf %xv : vector<8xf32> to vector<8xf16>
        %xe = arith.extf %q : vector<8xf16> to vector<8xf32>
        %wv = vector.load %w[%k] : memref<128xf32>, vector<8xf32>
        %p = arith.mulf %xe, %wv : vector<8xf32>
        %s = arith.addf %a, %p : vector<8xf32>
        scf.yield %s : vector<8xf32>
      }
      %r = vector.reduction <add>, %acc : vector<8xf32> into f32
      %o = memref.load %out[%i] : memref<64xf32>
      %t = arith.addf %o, %r : f32
      memref.store %t, %out[%i] : memref<64xf32>
    }
    return
  }
}
