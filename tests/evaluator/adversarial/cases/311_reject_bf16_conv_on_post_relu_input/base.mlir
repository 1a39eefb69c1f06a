// Conv2d 1x8x16x16 (NCHW) * 8x8x3x3 (FCHW) + bias, no padding -> 1x8x14x14, output overwritten.
#b = affine_map<(n, f, h, w) -> (f)>
#o = affine_map<(n, f, h, w) -> (n, f, h, w)>
module {
  func.func @conv(%x: memref<1x8x16x16xf32>, %w: memref<8x8x3x3xf32>, %bias: memref<8xf32>, %out: memref<1x8x14x14xf32>) {
    linalg.generic {indexing_maps = [#b, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%bias : memref<8xf32>) outs(%out : memref<1x8x14x14xf32>) {
    ^bb0(%v: f32, %o: f32):
      linalg.yield %v : f32
    }
    linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
        ins(%x, %w : memref<1x8x16x16xf32>, memref<8x8x3x3xf32>) outs(%out : memref<1x8x14x14xf32>)
    return
  }
}
