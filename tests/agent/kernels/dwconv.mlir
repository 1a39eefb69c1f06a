module {
  func.func @dw(%in: memref<1x10x10x8xf32>, %w: memref<3x3x8xf32>, %out: memref<1x8x8x8xf32>) {
    linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%in, %w : memref<1x10x10x8xf32>, memref<3x3x8xf32>) outs(%out : memref<1x8x8x8xf32>)
    return
  }
}
