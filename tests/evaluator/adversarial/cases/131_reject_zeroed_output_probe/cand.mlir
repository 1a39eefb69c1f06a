module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c20 = arith.constant 20 : index
    %c24 = arith.constant 24 : index
    %z = arith.constant 0.0 : f32
    %c00 = memref.load %C[%c0, %c0] : memref<16x24xf32>
    %fresh = arith.cmpf oeq, %c00, %z : f32
    scf.for %i = %c0 to %c16 step %c1 {
      scf.for %j = %c0 to %c24 step %c1 {
        %cij = memref.load %C[%i, %j] : memref<16x24xf32>
        %init = arith.select %fresh, %z, %cij : f32
        %acc = scf.for %k = %c0 to %c20 step %c1 iter_args(%s = %init) -> (f32) {
          %a = memref.load %A[%i, %k] : memref<16x20xf32>
          %b = memref.load %B[%k, %j] : memref<20x24xf32>
          %p = arith.mulf %a, %b : f32
          %n = arith.addf %s, %p : f32
          scf.yield %n : f32
        }
        memref.store %acc, %C[%i, %j] : memref<16x24xf32>
      }
    }
    return
  }
}
