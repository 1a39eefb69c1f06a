// torch.sum(x, dim=(0, 1), keepdim=True) as torch-mlir emits it: a generic reducing both dims into 1x1
#m = affine_map<(d0, d1) -> (d0, d1)>
#k = affine_map<(d0, d1) -> (0, 0)>
module {
  func.func @full_sum_keepdim(%x: tensor<37x50xf32>) -> tensor<1x1xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %e = tensor.empty() : tensor<1x1xf32>
    %z = linalg.fill ins(%cst : f32) outs(%e : tensor<1x1xf32>) -> tensor<1x1xf32>
    %s = linalg.generic {indexing_maps = [#m, #k], iterator_types = ["reduction", "reduction"]} ins(%x : tensor<37x50xf32>) outs(%z : tensor<1x1xf32>) {
    ^bb0(%in: f32, %out: f32):
      %0 = arith.addf %in, %out : f32
      linalg.yield %0 : f32
    } -> tensor<1x1xf32>
    return %s : tensor<1x1xf32>
  }
}
