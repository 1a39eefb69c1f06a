module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %c20 = arith.constant 20 : index
    %c24 = arith.constant 24 : index
    %c4 = arith.constant 4 : index
    %z = arith.constant 0.0 : f32
    scf.for %i = %c0 to %c16 step %c1 {
      scf.for %j = %c0 to %c24 step %c1 {
        %r:4 = scf.for %k = %c0 to %c20 step %c4 iter_args(%s0 = %z, %s1 = %z, %s2 = %z, %s3 = %z) -> (f32, f32, f32, f32) {
          %k1 = arith.addi %k, %c1 : index
          %k2 = arith.addi %k1, %c1 : index
          %k3 = arith.addi %k2, %c1 : index
          %a0 = memref.load %A[%i, %k] : memref<16x20xf32>
          %a1 = memref.load %A[%i, %k1] : memref<16x20xf32>
          %a2 = memref.load %A[%i, %k2] : memref<16x20xf32>
          %a3 = memref.load %A[%i, %k3] : memref<16x20xf32>
          %b0 = memref.load %B[%k, %j] : memref<20x24xf32>
          %b1 = memref.load %B[%k1, %j] : memref<20x24xf32>
          %b2 = memref.load %B[%k2, %j] : memref<20x24xf32>
          %b3 = memref.load %B[%k3, %j] : memref<20x24xf32>
          %p0 = arith.mulf %a0, %b0 : f32
          %p1 = arith.mulf %a1, %b1 : f32
          %p2 = arith.mulf %a2, %b2 : f32
          %p3 = arith.mulf %a3, %b3 : f32
          %n0 = arith.addf %s0, %p0 : f32
          %n1 = arith.addf %s1, %p1 : f32
          %n2 = arith.addf %s2, %p2 : f32
          %n3 = arith.addf %s3, %p3 : f32
          scf.yield %n0, %n1, %n2, %n3 : f32, f32, f32, f32
        }
        %t0 = arith.addf %r#0, %r#1 : f32
        %t1 = arith.addf %r#2, %r#3 : f32
        %t = arith.addf %t0, %t1 : f32
        %c = memref.load %C[%i, %j] : memref<16x24xf32>
        %n = arith.addf %c, %t : f32
        memref.store %n, %C[%i, %j] : memref<16x24xf32>
      }
    }
    return
  }
}
