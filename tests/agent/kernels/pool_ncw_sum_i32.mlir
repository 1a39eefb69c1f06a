// 1-D sum pooling, channels first, i32 (wrapping), window 4 at stride 3 and dilation 2; 20 channels (not a
// vector's 16: blocks of 10); accumulates into the output's initial contents.
module {
  func.func @pool_ncw_sum_i32(%in: memref<3x20x31xi32>, %win: memref<4xi32>, %out: memref<3x20x9xi32>) {
    linalg.pooling_ncw_sum {dilations = dense<2> : tensor<1xi64>, strides = dense<3> : tensor<1xi64>}
      ins(%in, %win : memref<3x20x31xi32>, memref<4xi32>) outs(%out : memref<3x20x9xi32>)
    return
  }
}
