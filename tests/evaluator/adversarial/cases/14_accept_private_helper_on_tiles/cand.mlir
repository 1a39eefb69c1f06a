#min8_13 = affine_map<(d0) -> (8, -d0 + 13)>
#min8_17 = affine_map<(d0) -> (8, -d0 + 17)>
module {
  func.func private @tile_mm(%a: memref<?x?xf32, strided<[?, 1], offset: ?>>,
                             %b: memref<?x?xf32, strided<[?, 1], offset: ?>>,
                             %c: memref<?x?xf32, strided<[?, 1], offset: ?>>) {
    linalg.matmul ins(%a, %b : memref<?x?xf32, strided<[?, 1], offset: ?>>, memref<?x?xf32, strided<[?, 1], offset: ?>>)
                  outs(%c : memref<?x?xf32, strided<[?, 1], offset: ?>>)
    return
  }
  func.func @matmul_odd(%A: memref<13x11xf32>, %B: memref<11x17xf32>, %C: memref<13x17xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %c13 = arith.constant 13 : index
    %c17 = arith.constant 17 : index
    scf.for %i = %c0 to %c13 step %c8 {
      %ti = affine.min #min8_13(%i)
      scf.for %j = %c0 to %c17 step %c8 {
        %tj = affine.min #min8_17(%j)
        %a = memref.subview %A[%i, 0] [%ti, 11] [1, 1] : memref<13x11xf32> to memref<?x11xf32, strided<[11, 1], offset: ?>>
        %b = memref.subview %B[0, %j] [11, %tj] [1, 1] : memref<11x17xf32> to memref<11x?xf32, strided<[17, 1], offset: ?>>
        %c = memref.subview %C[%i, %j] [%ti, %tj] [1, 1] : memref<13x17xf32> to memref<?x?xf32, strided<[17, 1], offset: ?>>
        %ad = memref.cast %a : memref<?x11xf32, strided<[11, 1], offset: ?>> to memref<?x?xf32, strided<[?, 1], offset: ?>>
        %bd = memref.cast %b : memref<11x?xf32, strided<[17, 1], offset: ?>> to memref<?x?xf32, strided<[?, 1], offset: ?>>
        %cd = memref.cast %c : memref<?x?xf32, strided<[17, 1], offset: ?>> to memref<?x?xf32, strided<[?, 1], offset: ?>>
        func.call @tile_mm(%ad, %bd, %cd) : (memref<?x?xf32, strided<[?, 1], offset: ?>>, memref<?x?xf32, strided<[?, 1], offset: ?>>, memref<?x?xf32, strided<[?, 1], offset: ?>>) -> ()
      }
    }
    return
  }
}
