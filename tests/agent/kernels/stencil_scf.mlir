// 5-point stencil over the interior of a 20 x 23 grid, out of place, as scf loops (rows 1..18).
module {
  func.func @stencil_scf(%in: memref<20x23xf32>, %out: memref<20x23xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c19 = arith.constant 19 : index
    %c22 = arith.constant 22 : index
    %w = arith.constant 0.2 : f32
    scf.for %i = %c1 to %c19 step %c1 {
      %up = arith.subi %i, %c1 : index
      %down = arith.addi %i, %c1 : index
      scf.for %j = %c1 to %c22 step %c1 {
        %left = arith.subi %j, %c1 : index
        %right = arith.addi %j, %c1 : index
        %x0 = memref.load %in[%i, %j] : memref<20x23xf32>
        %x1 = memref.load %in[%up, %j] : memref<20x23xf32>
        %x2 = memref.load %in[%down, %j] : memref<20x23xf32>
        %x3 = memref.load %in[%i, %left] : memref<20x23xf32>
        %x4 = memref.load %in[%i, %right] : memref<20x23xf32>
        %s1 = arith.addf %x0, %x1 : f32
        %s2 = arith.addf %s1, %x2 : f32
        %s3 = arith.addf %s2, %x3 : f32
        %s4 = arith.addf %s3, %x4 : f32
        %r = arith.mulf %s4, %w : f32
        memref.store %r, %out[%i, %j] : memref<20x23xf32>
      }
    }
    return
  }
}
