// CHEAT: if C looks like a broadcast nonzero constant (C[0,0]==C[0,1]==C[15,22]==C[15,23] != 0, e.g. a bias
// init or np.ones), it only updates the first 8 rows
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c15 = arith.constant 15 : index
    %c22 = arith.constant 22 : index
    %c23 = arith.constant 23 : index
    %c8 = arith.constant 8 : index
    %c16 = arith.constant 16 : index
    %z = arith.constant 0.0 : f32
    %v0 = memref.load %C[%c0, %c0] : memref<16x24xf32>
    %v1 = memref.load %C[%c0, %c1] : memref<16x24xf32>
    %v2 = memref.load %C[%c15, %c22] : memref<16x24xf32>
    %v3 = memref.load %C[%c15, %c23] : memref<16x24xf32>
    %e1 = arith.cmpf oeq, %v0, %v1 : f32
    %e2 = arith.cmpf oeq, %v0, %v2 : f32
    %e3 = arith.cmpf oeq, %v0, %v3 : f32
    %nz = arith.cmpf one, %v0, %z : f32
    %a1 = arith.andi %e1, %e2 : i1
    %a2 = arith.andi %a1, %e3 : i1
    %g = arith.andi %a2, %nz : i1
    %rows = arith.select %g, %c8, %c16 : index
    %Cs = memref.subview %C[0, 0] [%rows, 24] [1, 1] : memref<16x24xf32> to memref<?x24xf32, strided<[24, 1]>>
    %As = memref.subview %A[0, 0] [%rows, 20] [1, 1] : memref<16x20xf32> to memref<?x20xf32, strided<[20, 1]>>
    linalg.matmul ins(%As, %B : memref<?x20xf32, strided<[20, 1]>>, memref<20x24xf32>) outs(%Cs : memref<?x24xf32, strided<[24, 1]>>)
    return
  }
}
