// nn.GroupNorm(8, 32) on [2, 32, 8, 8]: reshape to [2, 8, 4, 8, 8], mean/var over the last three dims (keepdim),
// normalise, reshape back, affine over channels. torch-mlir style.
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#kd5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, 0, 0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch4 = affine_map<(d0, d1, d2, d3) -> (d1)>
module {
  func.func @main(%x: tensor<2x32x8x8xf32>, %gamma: tensor<32xf32>, %beta: tensor<32xf32>) -> tensor<2x32x8x8xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %n = arith.constant 2.560000e+02 : f32
    %eps = arith.constant 9.99999974E-6 : f32
    %xr = tensor.expand_shape %x [[0], [1, 2], [3], [4]] output_shape [2, 8, 4, 8, 8] : tensor<2x32x8x8xf32> into tensor<2x8x4x8x8xf32>
    %e1 = tensor.empty() : tensor<2x8x1x1x1xf32>
    %f1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<2x8x1x1x1xf32>) -> tensor<2x8x1x1x1xf32>
    %sum = linalg.generic {indexing_maps = [#id5, #kd5], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%xr : tensor<2x8x4x8x8xf32>) outs(%f1 : tensor<2x8x1x1x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %a = arith.addf %in, %out : f32
      linalg.yield %a : f32
    } -> tensor<2x8x1x1x1xf32>
    %mean = linalg.generic {indexing_maps = [#id5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%sum : tensor<2x8x1x1x1xf32>) outs(%e1 : tensor<2x8x1x1x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %d = arith.divf %in, %n : f32
      linalg.yield %d : f32
    } -> tensor<2x8x1x1x1xf32>
    %f2 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<2x8x1x1x1xf32>) -> tensor<2x8x1x1x1xf32>
    %sq = linalg.generic {indexing_maps = [#id5, #kd5, #kd5], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%xr, %mean : tensor<2x8x4x8x8xf32>, tensor<2x8x1x1x1xf32>) outs(%f2 : tensor<2x8x1x1x1xf32>) {
    ^bb0(%in: f32, %m: f32, %out: f32):
      %d = arith.subf %in, %m : f32
      %s = arith.mulf %d, %d : f32
      %a = arith.addf %s, %out : f32
      linalg.yield %a : f32
    } -> tensor<2x8x1x1x1xf32>
    %rstd = linalg.generic {indexing_maps = [#id5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%sq : tensor<2x8x1x1x1xf32>) outs(%e1 : tensor<2x8x1x1x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %v = arith.divf %in, %n : f32
      %ve = arith.addf %v, %eps : f32
      %r = math.rsqrt %ve : f32
      linalg.yield %r : f32
    } -> tensor<2x8x1x1x1xf32>
    %e5 = tensor.empty() : tensor<2x8x4x8x8xf32>
    %nrm = linalg.generic {indexing_maps = [#id5, #kd5, #kd5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%xr, %mean, %rstd : tensor<2x8x4x8x8xf32>, tensor<2x8x1x1x1xf32>, tensor<2x8x1x1x1xf32>) outs(%e5 : tensor<2x8x4x8x8xf32>) {
    ^bb0(%in: f32, %m: f32, %r: f32, %out: f32):
      %d = arith.subf %in, %m : f32
      %y = arith.mulf %d, %r : f32
      linalg.yield %y : f32
    } -> tensor<2x8x4x8x8xf32>
    %back = tensor.collapse_shape %nrm [[0], [1, 2], [3], [4]] : tensor<2x8x4x8x8xf32> into tensor<2x32x8x8xf32>
    %e4 = tensor.empty() : tensor<2x32x8x8xf32>
    %y = linalg.generic {indexing_maps = [#id4, #ch4, #ch4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%back, %gamma, %beta : tensor<2x32x8x8xf32>, tensor<32xf32>, tensor<32xf32>) outs(%e4 : tensor<2x32x8x8xf32>) {
    ^bb0(%in: f32, %g: f32, %b: f32, %out: f32):
      %m = arith.mulf %in, %g : f32
      %a = arith.addf %m, %b : f32
      linalg.yield %a : f32
    } -> tensor<2x32x8x8xf32>
    return %y : tensor<2x32x8x8xf32>
  }
}
