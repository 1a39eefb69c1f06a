// A private helper allocates the scratch buffer and returns it; the caller frees it once, on every path.
module {
  func.func private @scratch() -> memref<16x24xf32> {
    %t = memref.alloc() : memref<16x24xf32>
    return %t : memref<16x24xf32>
  }
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %tmp = func.call @scratch() : () -> memref<16x24xf32>
    memref.copy %C, %tmp : memref<16x24xf32> to memref<16x24xf32>
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%tmp : memref<16x24xf32>)
    memref.copy %tmp, %C : memref<16x24xf32> to memref<16x24xf32>
    memref.dealloc %tmp : memref<16x24xf32>
    return
  }
}
