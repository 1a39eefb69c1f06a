// BUG: upper bounds floor(13/4)*4 = 12 and floor(17/5)*5 = 15; no remainder tiles.
module {
  func.func @matmul_odd(%A: memref<13x11xf32>, %B: memref<11x17xf32>, %C: memref<13x17xf32>) {
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %c5 = arith.constant 5 : index
    %c12 = arith.constant 12 : index
    %c15 = arith.constant 15 : index
    scf.for %i = %c0 to %c12 step %c4 {
      scf.for %j = %c0 to %c15 step %c5 {
        %a = memref.subview %A[%i, 0] [4, 11] [1, 1] : memref<13x11xf32> to memref<4x11xf32, strided<[11, 1], offset: ?>>
        %b = memref.subview %B[0, %j] [11, 5] [1, 1] : memref<11x17xf32> to memref<11x5xf32, strided<[17, 1], offset: ?>>
        %c = memref.subview %C[%i, %j] [4, 5] [1, 1] : memref<13x17xf32> to memref<4x5xf32, strided<[17, 1], offset: ?>>
        linalg.matmul ins(%a, %b : memref<4x11xf32, strided<[11, 1], offset: ?>>, memref<11x5xf32, strided<[17, 1], offset: ?>>)
                      outs(%c : memref<4x5xf32, strided<[17, 1], offset: ?>>)
      }
    }
    return
  }
}
