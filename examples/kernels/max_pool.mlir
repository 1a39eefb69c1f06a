// 3x3 max pooling, stride 2 (NCHW), as torch-mlir emits it (the window is a shape-only operand).
module {
  func.func @max_pool(%in: memref<1x32x113x113xf32>, %out: memref<1x32x56x56xf32>) {
    %ninf = arith.constant 0xFF800000 : f32
    %win = memref.alloc() : memref<3x3xf32>
    linalg.fill ins(%ninf : f32) outs(%out : memref<1x32x56x56xf32>)
    linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
        ins(%in, %win : memref<1x32x113x113xf32>, memref<3x3xf32>) outs(%out : memref<1x32x56x56xf32>)
    memref.dealloc %win : memref<3x3xf32>
    return
  }
}
