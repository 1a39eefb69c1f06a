// CORRECT: C += A B with rows split over 4 scf.forall tasks (8 rows each, disjoint writes); each C[i,j] is
// summed as 4 interleaved partial sums over k (k mod 4), the odd pair in descending k, combined as
// (p0 + p1) + (p2 + p3) and added to C last. A legal reassociation and a parallel split.
module {
  func.func @mm(%A: memref<32x512xf32>, %B: memref<512x32xf32>, %C: memref<32x32xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %c4 = arith.constant 4 : index
    %c8 = arith.constant 8 : index
    %c32 = arith.constant 32 : index
    %c128 = arith.constant 128 : index
    %c511 = arith.constant 511 : index
    %z = arith.constant 0.0 : f32
    scf.forall (%t) in (4) {
      %i0 = arith.muli %t, %c8 : index
      scf.for %ii = %c0 to %c8 step %c1 {
        %i = arith.addi %i0, %ii : index
        scf.for %j = %c0 to %c32 step %c1 {
          %p:4 = scf.for %q = %c0 to %c128 step %c1 iter_args(%s0 = %z, %s1 = %z, %s2 = %z, %s3 = %z) -> (f32, f32, f32, f32) {
            %k0 = arith.muli %q, %c4 : index
            %k1 = arith.addi %k0, %c1 : index
            %k2 = arith.addi %k0, %c2 : index
            %k3r = arith.addi %k0, %c3 : index
            %k3 = arith.subi %c511, %k0 : index
            %k1r = arith.subi %k3, %c2 : index
            %a0 = memref.load %A[%i, %k0] : memref<32x512xf32>
            %b0 = memref.load %B[%k0, %j] : memref<512x32xf32>
            %a1 = memref.load %A[%i, %k1r] : memref<32x512xf32>
            %b1 = memref.load %B[%k1r, %j] : memref<512x32xf32>
            %a2 = memref.load %A[%i, %k2] : memref<32x512xf32>
            %b2 = memref.load %B[%k2, %j] : memref<512x32xf32>
            %a3 = memref.load %A[%i, %k3] : memref<32x512xf32>
            %b3 = memref.load %B[%k3, %j] : memref<512x32xf32>
            %m0 = arith.mulf %a0, %b0 : f32
            %m1 = arith.mulf %a1, %b1 : f32
            %m2 = arith.mulf %a2, %b2 : f32
            %m3 = arith.mulf %a3, %b3 : f32
            %n0 = arith.addf %s0, %m0 : f32
            %n1 = arith.addf %s1, %m1 : f32
            %n2 = arith.addf %s2, %m2 : f32
            %n3 = arith.addf %s3, %m3 : f32
            scf.yield %n0, %n1, %n2, %n3 : f32, f32, f32, f32
          }
          %u = arith.addf %p#0, %p#1 : f32
          %v = arith.addf %p#2, %p#3 : f32
          %w = arith.addf %u, %v : f32
          %c = memref.load %C[%i, %j] : memref<32x32xf32>
          %r = arith.addf %c, %w : f32
          memref.store %r, %C[%i, %j] : memref<32x32xf32>
        }
      }
    }
    return
  }
}
