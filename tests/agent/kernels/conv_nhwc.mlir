module {
  func.func @conv(%in: memref<1x10x12x8xf32>, %w: memref<3x3x8x20xf32>, %out: memref<1x8x10x20xf32>) {
    linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%in, %w : memref<1x10x12x8xf32>, memref<3x3x8x20xf32>) outs(%out : memref<1x8x10x20xf32>)
    return
  }
}
