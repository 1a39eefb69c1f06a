module {
  func.func @pool_nchw_s2(%in: memref<2x5x15x17xf32>, %win: memref<3x3xf32>, %out: memref<2x5x7x8xf32>) {
    linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %win : memref<2x5x15x17xf32>, memref<3x3xf32>) outs(%out : memref<2x5x7x8xf32>)
    return
  }
}
