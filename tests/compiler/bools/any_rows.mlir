// torch.any(mask, dim=1): bool reduction (ori) of an i1 input, keepdim=False
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d0)>
module {
  func.func @main(%arg0: tensor<300x517xi1>) -> tensor<300xi1> {
    %false = arith.constant false
    %0 = tensor.empty() : tensor<300xi1>
    %1 = linalg.fill ins(%false : i1) outs(%0 : tensor<300xi1>) -> tensor<300xi1>
    %2 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<300x517xi1>) outs(%1 : tensor<300xi1>) {
    ^bb0(%in: i1, %out: i1):
      %3 = arith.ori %in, %out : i1
      linalg.yield %3 : i1
    } -> tensor<300xi1>
    return %2 : tensor<300xi1>
  }
}
