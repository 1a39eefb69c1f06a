// CORRECT: a blocked scan (as a parallel scan does it): each block of 32 is scanned locally from 0, then the
// running total of the earlier blocks is added to every element of the block.
module {
  func.func @cumsum(%x: memref<16x1024xf32>, %out: memref<16x1024xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c32 = arith.constant 32 : index
    %c1024 = arith.constant 1024 : index
    %z = arith.constant 0.0 : f32
    scf.for %i = %c0 to %c16 step %c1 {
      %fin = scf.for %b = %c0 to %c1024 step %c32 iter_args(%carry = %z) -> (f32) {
        // local scan of the block
        %tot = scf.for %t = %c0 to %c32 step %c1 iter_args(%acc = %z) -> (f32) {
          %j = arith.addi %b, %t : index
          %v = memref.load %x[%i, %j] : memref<16x1024xf32>
          %s = arith.addf %acc, %v : f32
          memref.store %s, %out[%i, %j] : memref<16x1024xf32>
          scf.yield %s : f32
        }
        // add the carry of the earlier blocks
        %isfirst = arith.cmpi eq, %b, %c0 : index
        scf.if %isfirst {
        } else {
          scf.for %t = %c0 to %c32 step %c1 {
            %j = arith.addi %b, %t : index
            %o = memref.load %out[%i, %j] : memref<16x1024xf32>
            %s = arith.addf %carry, %o : f32
            memref.store %s, %out[%i, %j] : memref<16x1024xf32>
          }
        }
        %nc = arith.addf %carry, %tot : f32
        scf.yield %nc : f32
      }
    }
    return
  }
}
