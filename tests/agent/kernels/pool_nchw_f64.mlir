// 2x3 max pooling, channels first, f64, strides 2 (rows) and 1 (columns); 12 channels (not a vector's 8).
module {
  func.func @pool_nchw_f64(%in: memref<2x12x15x14xf64>, %out: memref<2x12x7x12xf64>) {
    %ninf = arith.constant 0xFFF0000000000000 : f64
    %win = memref.alloc() : memref<2x3xf64>
    linalg.fill ins(%ninf : f64) outs(%out : memref<2x12x7x12xf64>)
    linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
      ins(%in, %win : memref<2x12x15x14xf64>, memref<2x3xf64>) outs(%out : memref<2x12x7x12xf64>)
    memref.dealloc %win : memref<2x3xf64>
    return
  }
}
