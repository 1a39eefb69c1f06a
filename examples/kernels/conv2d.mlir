// 2-D convolution, NCHW input / FCHW filter, stride 1, no padding:
//   out[n,f,y,x] += sum_{c,kh,kw} input[n,c,y+kh,x+kw] * filter[f,c,kh,kw]
// Like linalg.matmul it accumulates into out (no fill): out's initial
// contents are an input.
module {
  func.func @conv2d(%input: memref<1x8x34x34xf32>, %filter: memref<16x8x3x3xf32>,
                    %out: memref<1x16x32x32xf32>) {
    linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>,
                              strides = dense<1> : tensor<2xi64>}
        ins(%input, %filter : memref<1x8x34x34xf32>, memref<16x8x3x3xf32>)
        outs(%out : memref<1x16x32x32xf32>)
    return
  }
}
