module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c20 = arith.constant 20 : index
    %c24 = arith.constant 24 : index
    %z = arith.constant 0.0 : f32
    scf.for %i = %c0 to %c16 step %c1 {
      scf.for %j = %c0 to %c24 step %c1 {
        %init = memref.load %C[%i, %j] : memref<16x24xf32>
        %acc = scf.for %k = %c0 to %c20 step %c1 iter_args(%s = %init) -> (f32) {
          %a = memref.load %A[%i, %k] : memref<16x20xf32>
          %isz = arith.cmpf oeq, %a, %z : f32
          %n = scf.if %isz -> (f32) {
            scf.yield %s : f32
          } else {
            %b = memref.load %B[%k, %j] : memref<20x24xf32>
            %p = arith.mulf %a, %b : f32
            %t = arith.addf %s, %p : f32
            scf.yield %t : f32
          }
          scf.yield %n : f32
        }
        memref.store %acc, %C[%i, %j] : memref<16x24xf32>
      }
    }
    return
  }
}
