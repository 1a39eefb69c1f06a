// CORRECT: parallel reduction written as scf.parallel with an scf.reduce (the canonical MLIR form), marked
// neurojit.threads = 2: 2 chunks of 512 summed independently and combined; a legal reassociation.
module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c512 = arith.constant 512 : index
    %zero = arith.constant 0.0 : f32
    %total = scf.parallel (%t) = (%c0) to (%c2) step (%c1) init (%zero) -> f32 {
      %lo = arith.muli %t, %c512 : index
      %hi = arith.addi %lo, %c512 : index
      %p = scf.for %i = %lo to %hi step %c1 iter_args(%acc = %zero) -> (f32) {
        %a = memref.load %x[%i] : memref<1024xf32>
        %s = arith.addf %acc, %a : f32
        scf.yield %s : f32
      }
      scf.reduce(%p : f32) {
      ^bb0(%l: f32, %r: f32):
        %s = arith.addf %l, %r : f32
        scf.reduce.return %s : f32
      }
    } {neurojit.threads = 2 : i64}
    %init = memref.load %out[%c0] : memref<1xf32>
    %v = arith.addf %init, %total : f32
    memref.store %v, %out[%c0] : memref<1xf32>
    return
  }
}
