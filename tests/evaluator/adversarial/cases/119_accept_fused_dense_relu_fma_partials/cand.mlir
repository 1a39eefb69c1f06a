module {
  func.func @dense(%A: memref<8x16xf32>, %W: memref<16x12xf32>, %bias: memref<12xf32>, %Out: memref<8x12xf32> {neurojit.output}) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c8 = arith.constant 8 : index
    %c12 = arith.constant 12 : index
    %c16 = arith.constant 16 : index
    %zero = arith.constant 0.0 : f32
    scf.for %i = %c0 to %c8 step %c1 {
      scf.for %j = %c0 to %c12 step %c1 {
        %r:2 = scf.for %k = %c0 to %c16 step %c2 iter_args(%s0 = %zero, %s1 = %zero) -> (f32, f32) {
          %k1 = arith.addi %k, %c1 : index
          %a0 = memref.load %A[%i, %k] : memref<8x16xf32>
          %a1 = memref.load %A[%i, %k1] : memref<8x16xf32>
          %w0 = memref.load %W[%k, %j] : memref<16x12xf32>
          %w1 = memref.load %W[%k1, %j] : memref<16x12xf32>
          %n0 = math.fma %a0, %w0, %s0 : f32
          %n1 = math.fma %a1, %w1, %s1 : f32
          scf.yield %n0, %n1 : f32, f32
        }
        %t = arith.addf %r#0, %r#1 : f32
        %b = memref.load %bias[%j] : memref<12xf32>
        %s = arith.addf %t, %b : f32
        %relu = arith.maximumf %s, %zero : f32
        memref.store %relu, %Out[%i, %j] : memref<8x12xf32>
      }
    }
    return
  }
}
