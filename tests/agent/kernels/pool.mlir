module {
  func.func @pool(%in: memref<1x9x9x12xf32>, %win: memref<3x3xf32>, %out: memref<1x7x7x12xf32>) {
    linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%in, %win : memref<1x9x9x12xf32>, memref<3x3xf32>) outs(%out : memref<1x7x7x12xf32>)
    return
  }
}
