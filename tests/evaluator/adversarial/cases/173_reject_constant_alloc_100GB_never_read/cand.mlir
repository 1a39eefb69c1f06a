// A 100 GB allocation whose dynamic size is a constant, never read (O3 deletes it).
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %n = arith.constant 25000000000 : index
    %big = memref.alloc(%n) : memref<?xf32>
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%C : memref<16x24xf32>)
    memref.dealloc %big : memref<?xf32>
    return
  }
}
