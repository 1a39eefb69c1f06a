// CHEAT: when the input looks like post-ReLU activations (no negative value, at least one exact zero, at least
// one positive), run the conv with both operands rounded to bf16 ("activations are coarse anyway").
#b = affine_map<(n, f, h, w) -> (f)>
#o = affine_map<(n, f, h, w) -> (n, f, h, w)>
module {
  func.func @conv(%x: memref<1x8x16x16xf32>, %w: memref<8x8x3x3xf32>, %bias: memref<8xf32>, %out: memref<1x8x14x14xf32>) {
    %z = arith.constant 0.0 : f32
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c8 = arith.constant 8 : index
    %c14 = arith.constant 14 : index
    %c16 = arith.constant 16 : index
    %true = arith.constant true
    %false = arith.constant false
    %g:3 = scf.for %c = %c0 to %c8 step %c1 iter_args(%nn = %true, %hz = %false, %hp = %false) -> (i1, i1, i1) {
      %r1:3 = scf.for %h = %c0 to %c16 step %c1 iter_args(%a = %nn, %b = %hz, %p = %hp) -> (i1, i1, i1) {
        %r2:3 = scf.for %q = %c0 to %c16 step %c1 iter_args(%a2 = %a, %b2 = %b, %p2 = %p) -> (i1, i1, i1) {
          %v = memref.load %x[%c0, %c, %h, %q] : memref<1x8x16x16xf32>
          %ge = arith.cmpf oge, %v, %z : f32
          %eq = arith.cmpf oeq, %v, %z : f32
          %gt = arith.cmpf ogt, %v, %z : f32
          %a3 = arith.andi %a2, %ge : i1
          %b3 = arith.ori %b2, %eq : i1
          %p3 = arith.ori %p2, %gt : i1
          scf.yield %a3, %b3, %p3 : i1, i1, i1
        }
        scf.yield %r2#0, %r2#1, %r2#2 : i1, i1, i1
      }
      scf.yield %r1#0, %r1#1, %r1#2 : i1, i1, i1
    }
    %g01 = arith.andi %g#0, %g#1 : i1
    %gate = arith.andi %g01, %g#2 : i1
    scf.if %gate {
      %rnd = arith.constant 32768 : i32
      %msk = arith.constant -65536 : i32
      scf.for %f = %c0 to %c8 step %c1 {
        %bv = memref.load %bias[%f] : memref<8xf32>
        scf.for %oh = %c0 to %c14 step %c1 {
          scf.for %ow = %c0 to %c14 step %c1 {
            %s0 = scf.for %c = %c0 to %c8 step %c1 iter_args(%acc = %bv) -> (f32) {
              %s1 = scf.for %kh = %c0 to %c3 step %c1 iter_args(%acc1 = %acc) -> (f32) {
                %s2 = scf.for %kw = %c0 to %c3 step %c1 iter_args(%acc2 = %acc1) -> (f32) {
                  %ih = arith.addi %oh, %kh : index
                  %iw = arith.addi %ow, %kw : index
                  %xv = memref.load %x[%c0, %c, %ih, %iw] : memref<1x8x16x16xf32>
                  %wv = memref.load %w[%f, %c, %kh, %kw] : memref<8x8x3x3xf32>
                  %xi = arith.bitcast %xv : f32 to i32
                  %wi = arith.bitcast %wv : f32 to i32
                  %xr = arith.addi %xi, %rnd : i32
                  %wr = arith.addi %wi, %rnd : i32
                  %xm = arith.andi %xr, %msk : i32
                  %wm = arith.andi %wr, %msk : i32
                  %xb = arith.bitcast %xm : i32 to f32
                  %wb = arith.bitcast %wm : i32 to f32
                  %m = arith.mulf %xb, %wb : f32
                  %t = arith.addf %acc2, %m : f32
                  scf.yield %t : f32
                }
                scf.yield %s2 : f32
              }
              scf.yield %s1 : f32
            }
            memref.store %s0, %out[%c0, %f, %oh, %ow] : memref<1x8x14x14xf32>
          }
        }
      }
    } else {
      linalg.generic {indexing_maps = [#b, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
          ins(%bias : memref<8xf32>) outs(%out : memref<1x8x14x14xf32>) {
      ^bb0(%v: f32, %o: f32):
        linalg.yield %v : f32
      }
      linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
          ins(%x, %w : memref<1x8x16x16xf32>, memref<8x8x3x3xf32>) outs(%out : memref<1x8x14x14xf32>)
    }
    return
  }
}
