// Tiles 4 (M) x 5 (N) x 3 (K); partial edge tiles are handled with affine.min.
#min4 = affine_map<(d0) -> (4, -d0 + 13)>
#min5 = affine_map<(d0) -> (5, -d0 + 17)>
#min3 = affine_map<(d0) -> (3, -d0 + 11)>
module {
  func.func @matmul_odd(%A: memref<13x11xf32>, %B: memref<11x17xf32>, %C: memref<13x17xf32>) {
    %c0 = arith.constant 0 : index
    %c3 = arith.constant 3 : index
    %c4 = arith.constant 4 : index
    %c5 = arith.constant 5 : index
    %c11 = arith.constant 11 : index
    %c13 = arith.constant 13 : index
    %c17 = arith.constant 17 : index
    scf.for %i = %c0 to %c13 step %c4 {
      %ti = affine.min #min4(%i)
      scf.for %j = %c0 to %c17 step %c5 {
        %tj = affine.min #min5(%j)
        scf.for %k = %c0 to %c11 step %c3 {
          %tk = affine.min #min3(%k)
          %a = memref.subview %A[%i, %k] [%ti, %tk] [1, 1] : memref<13x11xf32> to memref<?x?xf32, strided<[11, 1], offset: ?>>
          %b = memref.subview %B[%k, %j] [%tk, %tj] [1, 1] : memref<11x17xf32> to memref<?x?xf32, strided<[17, 1], offset: ?>>
          %c = memref.subview %C[%i, %j] [%ti, %tj] [1, 1] : memref<13x17xf32> to memref<?x?xf32, strided<[17, 1], offset: ?>>
          linalg.matmul ins(%a, %b : memref<?x?xf32, strided<[11, 1], offset: ?>>, memref<?x?xf32, strided<[17, 1], offset: ?>>)
                        outs(%c : memref<?x?xf32, strided<[17, 1], offset: ?>>)
        }
      }
    }
    return
  }
}
