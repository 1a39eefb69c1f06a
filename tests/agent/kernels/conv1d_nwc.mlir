module {
  func.func @conv1d_nwc(%in: memref<2x23x5xf32>, %w: memref<3x5x19xf32>, %out: memref<2x21x19xf32>) {
    linalg.conv_1d_nwc_wcf {dilations = dense<1> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>}
      ins(%in, %w : memref<2x23x5xf32>, memref<3x5x19xf32>) outs(%out : memref<2x21x19xf32>)
    return
  }
}
