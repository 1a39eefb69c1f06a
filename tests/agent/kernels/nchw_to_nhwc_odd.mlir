// torch's x.permute(0, 2, 3, 1).contiguous() as torch-mlir emits it: a generic reading its input through a
// permutation, on tensors, with a scale on the way (odd channel and width extents)
#in = affine_map<(n, h, w, c) -> (n, c, h, w)>
#out = affine_map<(n, h, w, c) -> (n, h, w, c)>
module {
  func.func @nchw_to_nhwc(%x: tensor<2x19x23x13xf32>) -> tensor<2x23x13x19xf32> {
    %s = arith.constant 0.5 : f32
    %e = tensor.empty() : tensor<2x23x13x19xf32>
    %y = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%x : tensor<2x19x23x13xf32>) outs(%e : tensor<2x23x13x19xf32>) {
    ^bb0(%a: f32, %o: f32):
      %m = arith.mulf %a, %s : f32
      linalg.yield %m : f32
    } -> tensor<2x23x13x19xf32>
    return %y : tensor<2x23x13x19xf32>
  }
}
