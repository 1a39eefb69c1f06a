// torch.sum(x > t, dim=1) -> int64 : compare then extui+addi reduction (bool never materialised by user)
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d0)>
module {
  func.func @main(%arg0: tensor<255x403xf32>, %arg1: tensor<255xf32>) -> tensor<255xi64> {
    %c0_i64 = arith.constant 0 : i64
    %0 = tensor.empty() : tensor<255x403xi1>
    %1 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0, %arg1 : tensor<255x403xf32>, tensor<255xf32>) outs(%0 : tensor<255x403xi1>) {
    ^bb0(%in: f32, %in_0: f32, %out: i1):
      %5 = arith.cmpf ogt, %in, %in_0 : f32
      linalg.yield %5 : i1
    } -> tensor<255x403xi1>
    %2 = tensor.empty() : tensor<255xi64>
    %3 = linalg.fill ins(%c0_i64 : i64) outs(%2 : tensor<255xi64>) -> tensor<255xi64>
    %4 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%1 : tensor<255x403xi1>) outs(%3 : tensor<255xi64>) {
    ^bb0(%in: i1, %out: i64):
      %5 = arith.extui %in : i1 to i64
      %6 = arith.addi %5, %out : i64
      linalg.yield %6 : i64
    } -> tensor<255xi64>
    return %4 : tensor<255xi64>
  }
}
