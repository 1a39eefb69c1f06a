// 1-D fourth-order Laplacian stencil on 4096 points (interior 4092):
//   out[i] = (-x[i] + 16 x[i+1] - 30 x[i+2] + 16 x[i+3] - x[i+4]) / 12
#m = affine_map<(i) -> (i)>
#s1 = affine_map<(i) -> (i + 1)>
#s2 = affine_map<(i) -> (i + 2)>
#s3 = affine_map<(i) -> (i + 3)>
#s4 = affine_map<(i) -> (i + 4)>
module {
  func.func @lap4(%x: memref<4096xf32>, %out: memref<4092xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 4092 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %c4 = arith.constant 4 : index
    %k16 = arith.constant 16.0 : f32
    %k30 = arith.constant 30.0 : f32
    %k12 = arith.constant 12.0 : f32
    scf.for %i = %c0 to %n step %c1 {
      %i1 = arith.addi %i, %c1 : index
      %i2 = arith.addi %i, %c2 : index
      %i3 = arith.addi %i, %c3 : index
      %i4 = arith.addi %i, %c4 : index
      %a0 = memref.load %x[%i] : memref<4096xf32>
      %a1 = memref.load %x[%i1] : memref<4096xf32>
      %a2 = memref.load %x[%i2] : memref<4096xf32>
      %a3 = memref.load %x[%i3] : memref<4096xf32>
      %a4 = memref.load %x[%i4] : memref<4096xf32>
      %t1 = arith.mulf %k16, %a1 : f32
      %t2 = arith.mulf %k30, %a2 : f32
      %t3 = arith.mulf %k16, %a3 : f32
      %s0 = arith.subf %t1, %a0 : f32
      %s1 = arith.subf %s0, %t2 : f32
      %s2 = arith.addf %s1, %t3 : f32
      %s3 = arith.subf %s2, %a4 : f32
      %r = arith.divf %s3, %k12 : f32
      memref.store %r, %out[%i] : memref<4092xf32>
    }
    return
  }
}
