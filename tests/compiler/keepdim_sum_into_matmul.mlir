// a keepdim row sum returned, and also used by a matmul (4x1 @ 1x8)
#x = affine_map<(d0, d1) -> (d0, d1)>
#k = affine_map<(d0, d1) -> (d0, 0)>
module {
  func.func @main(%x: tensor<4x8xf32>, %w: tensor<1x8xf32>) -> (tensor<4x1xf32>, tensor<4x8xf32>) {
    %z = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<4x1xf32>
    %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x1xf32>) -> tensor<4x1xf32>
    %s = linalg.generic {indexing_maps = [#x, #k], iterator_types = ["parallel", "reduction"]}
        ins(%x : tensor<4x8xf32>) outs(%f : tensor<4x1xf32>) {
    ^bb0(%a: f32, %o: f32):
      %r = arith.addf %a, %o : f32
      linalg.yield %r : f32
    } -> tensor<4x1xf32>
    %e2 = tensor.empty() : tensor<4x8xf32>
    %f2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
    %d = linalg.matmul ins(%s, %w : tensor<4x1xf32>, tensor<1x8xf32>) outs(%f2 : tensor<4x8xf32>) -> tensor<4x8xf32>
    return %s, %d : tensor<4x1xf32>, tensor<4x8xf32>
  }
}
