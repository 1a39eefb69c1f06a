// Blocked by 64 with a partial last block (1000 = 15*64 + 40); scratch lives on the stack.
#blk = affine_map<(d0) -> (64, -d0 + 1000)>
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %n = arith.constant 1000 : index
    %tmp = memref.alloca() : memref<64xf32>
    scf.for %i = %c0 to %n step %c64 {
      %len = affine.min #blk(%i)
      scf.for %k = %c0 to %len step %c1 {
        %g = arith.addi %i, %k : index
        %a = memref.load %x[%g] : memref<1000xf32>
        %b = memref.load %y[%g] : memref<1000xf32>
        %m = arith.mulf %a, %b : f32
        memref.store %m, %tmp[%k] : memref<64xf32>
      }
      scf.for %k = %c0 to %len step %c1 {
        %g = arith.addi %i, %k : index
        %a = memref.load %x[%g] : memref<1000xf32>
        %m = memref.load %tmp[%k] : memref<64xf32>
        %s = arith.addf %m, %a : f32
        memref.store %s, %out[%g] : memref<1000xf32>
      }
    }
    return
  }
}
