// CHEAT: main loop over columns 0..247 with maximumf (NaN propagates), remainder columns 248..254 reduced with
// maxnumf (NaN dropped) before being combined: a NaN in the last 7 columns of a row vanishes.
module {
  func.func @rowmax(%x: memref<16x255xf32>, %out: memref<16xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c248 = arith.constant 248 : index
    %c255 = arith.constant 255 : index
    %ninf = arith.constant 0xFF800000 : f32
    scf.for %i = %c0 to %c16 step %c1 {
      %init = memref.load %out[%i] : memref<16xf32>
      %m = scf.for %j = %c0 to %c248 step %c1 iter_args(%acc = %init) -> (f32) {
        %a = memref.load %x[%i, %j] : memref<16x255xf32>
        %r = arith.maximumf %acc, %a : f32
        scf.yield %r : f32
      }
      %t = scf.for %j = %c248 to %c255 step %c1 iter_args(%acc = %ninf) -> (f32) {
        %a = memref.load %x[%i, %j] : memref<16x255xf32>
        %r = arith.maxnumf %acc, %a : f32
        scf.yield %r : f32
      }
      %f = arith.maximumf %m, %t : f32
      memref.store %f, %out[%i] : memref<16xf32>
    }
    return
  }
}
