// 1-D convolution, NWC input / WCF filter, stride 1 (a temporal convolution layer).
module {
  func.func @conv1d(%in: memref<1x1030x32xf32>, %w: memref<7x32x64xf32>, %out: memref<1x1024x64xf32>) {
    linalg.conv_1d_nwc_wcf {dilations = dense<1> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>}
        ins(%in, %w : memref<1x1030x32xf32>, memref<7x32x64xf32>) outs(%out : memref<1x1024x64xf32>)
    return
  }
}
