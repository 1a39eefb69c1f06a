// Tiles of C go through a contiguous scratch buffer: memref.copy of the strided tile into the scratch,
// linalg.matmul on the scratch, memref.copy back into the strided view of C. A strided memref.copy lowers
// to a call of MLIR's runtime helper memrefCopy, which the platform allowlist admits.
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %c16 = arith.constant 16 : index
    %c24 = arith.constant 24 : index
    %t = memref.alloc() : memref<8x8xf32>
    scf.for %i = %c0 to %c16 step %c8 {
      scf.for %j = %c0 to %c24 step %c8 {
        %a = memref.subview %A[%i, 0] [8, 20] [1, 1] : memref<16x20xf32> to memref<8x20xf32, strided<[20, 1], offset: ?>>
        %b = memref.subview %B[0, %j] [20, 8] [1, 1] : memref<20x24xf32> to memref<20x8xf32, strided<[24, 1], offset: ?>>
        %c = memref.subview %C[%i, %j] [8, 8] [1, 1] : memref<16x24xf32> to memref<8x8xf32, strided<[24, 1], offset: ?>>
        memref.copy %c, %t : memref<8x8xf32, strided<[24, 1], offset: ?>> to memref<8x8xf32>
        linalg.matmul ins(%a, %b : memref<8x20xf32, strided<[20, 1], offset: ?>>, memref<20x8xf32, strided<[24, 1], offset: ?>>)
                      outs(%t : memref<8x8xf32>)
        memref.copy %t, %c : memref<8x8xf32> to memref<8x8xf32, strided<[24, 1], offset: ?>>
      }
    }
    memref.dealloc %t : memref<8x8xf32>
    return
  }
}
