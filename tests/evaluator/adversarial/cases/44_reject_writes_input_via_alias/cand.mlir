module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%C : memref<16x24xf32>)
    %row = memref.subview %A[15, 0] [1, 20] [1, 1] : memref<16x20xf32> to memref<1x20xf32, strided<[20, 1], offset: 300>>
    %dyn = memref.cast %row : memref<1x20xf32, strided<[20, 1], offset: 300>> to memref<?x?xf32, strided<[?, ?], offset: ?>>
    %z = arith.constant 1.0 : f32
    linalg.fill ins(%z : f32) outs(%dyn : memref<?x?xf32, strided<[?, ?], offset: ?>>)
    return
  }
}
