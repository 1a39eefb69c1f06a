// 2-D convolution, NCHW / FCHW, stride 2 (a downsampling layer)
module {
  func.func @conv2d_s2(%in: memref<1x32x65x65xf32>, %w: memref<64x32x3x3xf32>, %out: memref<1x64x32x32xf32>) {
    linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
        ins(%in, %w : memref<1x32x65x65xf32>, memref<64x32x3x3xf32>) outs(%out : memref<1x64x32x32xf32>)
    return
  }
}
