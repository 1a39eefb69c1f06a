// TFLite's and IREE's filter layout (f, kh, kw, c), odd sizes: made the nhwc_hwcf convolution by the schedule
module {
  func.func @conv(%in: memref<1x10x13x7xf32>, %w: memref<11x3x3x7xf32>, %out: memref<1x8x11x11xf32>) {
    linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%in, %w : memref<1x10x13x7xf32>, memref<11x3x3x7xf32>) outs(%out : memref<1x8x11x11xf32>)
    return
  }
}
