// torch-mlir style Linear(33 -> 20) + ReLU on a batch of 8, on tensors, returning the result.
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @main(%input: tensor<8x33xf32>, %weight: tensor<20x33xf32>, %bias: tensor<20xf32>) -> tensor<8x20xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<33x20xf32>
    %transposed = linalg.transpose ins(%weight : tensor<20x33xf32>) outs(%0 : tensor<33x20xf32>) permutation = [1, 0]
    %1 = tensor.empty() : tensor<8x20xf32>
    %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<8x20xf32>) -> tensor<8x20xf32>
    %3 = linalg.matmul ins(%input, %transposed : tensor<8x33xf32>, tensor<33x20xf32>) outs(%2 : tensor<8x20xf32>) -> tensor<8x20xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%3, %bias : tensor<8x20xf32>, tensor<20xf32>) outs(%1 : tensor<8x20xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %6 = arith.addf %in, %in_0 : f32
      linalg.yield %6 : f32
    } -> tensor<8x20xf32>
    %5 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%4 : tensor<8x20xf32>) outs(%1 : tensor<8x20xf32>) {
    ^bb0(%in: f32, %out: f32):
      %6 = arith.cmpf ugt, %in, %cst : f32
      %7 = arith.select %6, %in, %cst : f32
      linalg.yield %7 : f32
    } -> tensor<8x20xf32>
    return %5 : tensor<8x20xf32>
  }
}
