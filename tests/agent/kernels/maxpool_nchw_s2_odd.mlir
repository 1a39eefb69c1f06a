// channels-first 3x3 max pooling, stride 2, at odd sizes (2 x 5 x 131 x 129 -> 2 x 5 x 65 x 64), as one
// writes it on memrefs: the output filled with -inf first
module {
  func.func @maxpool(%x: memref<2x5x131x129xf32>, %win: memref<3x3xf32>, %out: memref<2x5x65x64xf32>) {
    %ninf = arith.constant 0xFF800000 : f32
    linalg.fill ins(%ninf : f32) outs(%out : memref<2x5x65x64xf32>)
    linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %win : memref<2x5x131x129xf32>, memref<3x3xf32>) outs(%out : memref<2x5x65x64xf32>)
    return
  }
}
