// torch.cat([x > 0, y < 0], dim=0) -> bool: tensor.concat of two i1 tensors
#map = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @main(%x: tensor<150x257xf32>, %y: tensor<107x257xf32>) -> tensor<257x257xi1> {
    %z = arith.constant 0.000000e+00 : f32
    %e1 = tensor.empty() : tensor<150x257xi1>
    %e2 = tensor.empty() : tensor<107x257xi1>
    %a = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<150x257xf32>) outs(%e1 : tensor<150x257xi1>) {
    ^bb0(%in: f32, %o: i1):
      %c = arith.cmpf ogt, %in, %z : f32
      linalg.yield %c : i1
    } -> tensor<150x257xi1>
    %b = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<107x257xf32>) outs(%e2 : tensor<107x257xi1>) {
    ^bb0(%in: f32, %o: i1):
      %c = arith.cmpf olt, %in, %z : f32
      linalg.yield %c : i1
    } -> tensor<107x257xi1>
    %r = tensor.concat dim(0) %a, %b : (tensor<150x257xi1>, tensor<107x257xi1>) -> tensor<257x257xi1>
    return %r : tensor<257x257xi1>
  }
}
