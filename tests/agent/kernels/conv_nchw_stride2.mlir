module {
  func.func @convs2(%in: memref<1x4x17x17xf32>, %w: memref<6x4x3x3xf32>, %out: memref<1x6x8x8xf32>) {
    linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %w : memref<1x4x17x17xf32>, memref<6x4x3x3xf32>) outs(%out : memref<1x6x8x8xf32>)
    return
  }
}
