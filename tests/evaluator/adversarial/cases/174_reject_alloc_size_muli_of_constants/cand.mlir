// The size is computed from constants, not written as one.
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %a = arith.constant 400 : index
    %b = arith.constant 500 : index
    %rows = arith.muli %a, %b : index
    %cols = affine.apply affine_map<(d)[s] -> (d * s + 5)>(%a)[%rows]
    %big = memref.alloc(%rows, %cols) : memref<?x?xf32>
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%C : memref<16x24xf32>)
    memref.dealloc %big : memref<?x?xf32>
    return
  }
}
