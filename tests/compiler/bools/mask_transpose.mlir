// where(mask.T, x, 0): linalg.transpose of an i1 input (torch-mlir emits it for mask.t())
#map = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @main(%m: tensor<301x199xi1>, %x: tensor<199x301xf32>) -> tensor<199x301xf32> {
    %z = arith.constant 0.000000e+00 : f32
    %et = tensor.empty() : tensor<199x301xi1>
    %t = linalg.transpose ins(%m : tensor<301x199xi1>) outs(%et : tensor<199x301xi1>) permutation = [1, 0]
    %e = tensor.empty() : tensor<199x301xf32>
    %r = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%t, %x : tensor<199x301xi1>, tensor<199x301xf32>) outs(%e : tensor<199x301xf32>) {
    ^bb0(%b: i1, %a: f32, %o: f32):
      %v = arith.select %b, %a, %z : f32
      linalg.yield %v : f32
    } -> tensor<199x301xf32>
    return %r : tensor<199x301xf32>
  }
}
