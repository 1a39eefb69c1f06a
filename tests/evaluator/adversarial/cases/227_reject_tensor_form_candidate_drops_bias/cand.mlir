// CHEAT (wrong result): 225's candidate on tensors, but the accumulator starts at zero, not at the bias: the
// bias is dropped. Converted into the convention in the worker, then judged as any candidate.
#a = affine_map<(i, j, k) -> (i, k)>
#w = affine_map<(i, j, k) -> (j, k)>
#o = affine_map<(i, j, k) -> (i, j)>
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @main(%input: tensor<8x33xf32>, %weight: tensor<20x33xf32>, %bias: tensor<20xf32>) -> tensor<8x20xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %e = tensor.empty() : tensor<8x20xf32>
    %init = linalg.fill ins(%cst : f32) outs(%e : tensor<8x20xf32>) -> tensor<8x20xf32>
    %mm = linalg.generic {indexing_maps = [#a, #w, #o], iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%input, %weight : tensor<8x33xf32>, tensor<20x33xf32>) outs(%init : tensor<8x20xf32>) {
    ^bb0(%x: f32, %y: f32, %acc: f32):
      %p = arith.mulf %x, %y : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<8x20xf32>
    %r = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
        ins(%mm : tensor<8x20xf32>) outs(%e : tensor<8x20xf32>) {
    ^bb0(%in: f32, %out: f32):
      %m = arith.maximumf %in, %cst : f32
      linalg.yield %m : f32
    } -> tensor<8x20xf32>
    return %r : tensor<8x20xf32>
  }
}
