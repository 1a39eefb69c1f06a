// torch's AvgPool2d(3, stride=2, padding=1) on NCHW as torch-mlir emits it: tensor.pad, a sum pooling into
// zeros, a division by 9. The padded rows (130) take no vector width that divides them, and bufferization
// copies the whole input into the padded buffer
#i = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
module {
  func.func @avgpool_pad(%x: tensor<1x3x128x128xf32>) -> tensor<1x3x64x64xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %nine = arith.constant 9.000000e+00 : f32
    %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%a: index, %b: index, %c: index, %d: index):
      tensor.yield %cst : f32
    } : tensor<1x3x128x128xf32> to tensor<1x3x130x130xf32>
    %win = tensor.empty() : tensor<3x3xf32>
    %e = tensor.empty() : tensor<1x3x64x64xf32>
    %f = linalg.fill ins(%cst : f32) outs(%e : tensor<1x3x64x64xf32>) -> tensor<1x3x64x64xf32>
    %s = linalg.pooling_nchw_sum {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%padded, %win : tensor<1x3x130x130xf32>, tensor<3x3xf32>) outs(%f : tensor<1x3x64x64xf32>) -> tensor<1x3x64x64xf32>
    %d = linalg.generic {indexing_maps = [#i, #i], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x3x64x64xf32>) outs(%e : tensor<1x3x64x64xf32>) {
    ^bb0(%in: f32, %out: f32):
      %0 = arith.divf %in, %nine : f32
      linalg.yield %0 : f32
    } -> tensor<1x3x64x64xf32>
    return %d : tensor<1x3x64x64xf32>
  }
}
