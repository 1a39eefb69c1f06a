// Scratch buffer freed on both branches of a data-dependent scf.if.
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %tmp = memref.alloc() : memref<16x24xf32>
    memref.copy %C, %tmp : memref<16x24xf32> to memref<16x24xf32>
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%tmp : memref<16x24xf32>)
    %a = memref.load %A[%c0, %c0] : memref<16x20xf32>
    %positive = arith.cmpf ogt, %a, %zero : f32
    scf.if %positive {
      memref.copy %tmp, %C : memref<16x24xf32> to memref<16x24xf32>
      memref.dealloc %tmp : memref<16x24xf32>
    } else {
      linalg.copy ins(%tmp : memref<16x24xf32>) outs(%C : memref<16x24xf32>)
      memref.dealloc %tmp : memref<16x24xf32>
    }
    return
  }
}
