// Hand-tiled matmul: 8x8 tiles of C, full K per tile. 8 divides 16 and 24.
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %c16 = arith.constant 16 : index
    %c24 = arith.constant 24 : index
    scf.for %i = %c0 to %c16 step %c8 {
      scf.for %j = %c0 to %c24 step %c8 {
        %a = memref.subview %A[%i, 0] [8, 20] [1, 1] : memref<16x20xf32> to memref<8x20xf32, strided<[20, 1], offset: ?>>
        %b = memref.subview %B[0, %j] [20, 8] [1, 1] : memref<20x24xf32> to memref<20x8xf32, strided<[24, 1], offset: ?>>
        %c = memref.subview %C[%i, %j] [8, 8] [1, 1] : memref<16x24xf32> to memref<8x8xf32, strided<[24, 1], offset: ?>>
        linalg.matmul ins(%a, %b : memref<8x20xf32, strided<[20, 1], offset: ?>>, memref<20x8xf32, strided<[24, 1], offset: ?>>)
                      outs(%c : memref<8x8xf32, strided<[24, 1], offset: ?>>)
      }
    }
    return
  }
}
