// Baseline: nn.Conv2d(16, 32, 3, padding=1) + ReLU on 1x16x32x32 as torch-mlir emits it: tensor.pad, the bias
// broadcast as the initial value, conv_2d_nchw_fchw, then the ReLU as select(x > 0, x, 0) (cmpf ugt + select).
#b = affine_map<(d0, d1, d2, d3) -> (d1)>
#i = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
module {
  func.func @conv_pad_relu(%x: tensor<1x16x32x32xf32>, %w: tensor<32x16x3x3xf32>, %bias: tensor<32xf32>) -> tensor<1x32x32x32xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%a: index, %b: index, %c: index, %d: index):
      tensor.yield %cst : f32
    } : tensor<1x16x32x32xf32> to tensor<1x16x34x34xf32>
    %e = tensor.empty() : tensor<1x32x32x32xf32>
    %bb = linalg.generic {indexing_maps = [#b, #i], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%bias : tensor<32xf32>) outs(%e : tensor<1x32x32x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<1x32x32x32xf32>
    %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded, %w : tensor<1x16x34x34xf32>, tensor<32x16x3x3xf32>) outs(%bb : tensor<1x32x32x32xf32>) -> tensor<1x32x32x32xf32>
    %r = linalg.generic {indexing_maps = [#i, #i], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x32x32x32xf32>) outs(%e : tensor<1x32x32x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      %0 = arith.cmpf ugt, %in, %cst : f32
      %1 = arith.select %0, %in, %cst : f32
      linalg.yield %1 : f32
    } -> tensor<1x32x32x32xf32>
    return %r : tensor<1x32x32x32xf32>
  }
}
