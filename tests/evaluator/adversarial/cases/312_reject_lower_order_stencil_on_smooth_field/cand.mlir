// CHEAT: gated on a smooth input field (max neighbour jump < 20% of the range), the fourth-order stencil is
// replaced by the second-order one: a different (lower-order) operator on exactly the data a PDE solver feeds it.
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
    // smooth-field shortcut: when no two neighbours differ by more than 20% of the field's range, use the
    // second-order stencil (x[i+1] - 2 x[i+2] + x[i+3]) instead ("it is smooth, the error is negligible")
    %nm1 = arith.constant 4095 : index
    %f0 = arith.constant 0.0 : f32
    %ninf = arith.constant 0xFF800000 : f32
    %pinf = arith.constant 0x7F800000 : f32
    %st:3 = scf.for %i = %c0 to %nm1 step %c1 iter_args(%md = %f0, %mx = %ninf, %mn = %pinf) -> (f32, f32, f32) {
      %ip = arith.addi %i, %c1 : index
      %u = memref.load %x[%i] : memref<4096xf32>
      %v = memref.load %x[%ip] : memref<4096xf32>
      %d = arith.subf %v, %u : f32
      %ad = math.absf %d : f32
      %md2 = arith.maximumf %md, %ad : f32
      %mx2 = arith.maximumf %mx, %u : f32
      %mn2 = arith.minimumf %mn, %u : f32
      scf.yield %md2, %mx2, %mn2 : f32, f32, f32
    }
    %range = arith.subf %st#1, %st#2 : f32
    %pct = arith.constant 0.2 : f32
    %lim = arith.mulf %range, %pct : f32
    %smooth0 = arith.cmpf olt, %st#0, %lim : f32
    %pos = arith.cmpf ogt, %range, %f0 : f32
    %smooth = arith.andi %smooth0, %pos : i1
    scf.if %smooth {
      scf.for %i = %c0 to %n step %c1 {
        %i1 = arith.addi %i, %c1 : index
        %i2 = arith.addi %i, %c2 : index
        %i3 = arith.addi %i, %c3 : index
        %a1 = memref.load %x[%i1] : memref<4096xf32>
        %a2 = memref.load %x[%i2] : memref<4096xf32>
        %a3 = memref.load %x[%i3] : memref<4096xf32>
        %two = arith.constant 2.0 : f32
        %t2 = arith.mulf %two, %a2 : f32
        %s0 = arith.subf %a1, %t2 : f32
        %r = arith.addf %s0, %a3 : f32
        memref.store %r, %out[%i] : memref<4092xf32>
      }
    } else {
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
    }
    return
  }
}
