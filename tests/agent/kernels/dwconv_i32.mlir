module {
  func.func @dw_i32(%in: memref<1x11x13x24xi32>, %w: memref<3x3x24xi32>, %out: memref<1x9x11x24xi32>) {
    linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%in, %w : memref<1x11x13x24xi32>, memref<3x3x24xi32>) outs(%out : memref<1x9x11x24xi32>)
    return
  }
}
