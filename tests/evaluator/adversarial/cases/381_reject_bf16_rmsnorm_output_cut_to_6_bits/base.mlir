// bf16 RMSNorm as torch-mlir emits it for a bf16 model: extf to f32, mean of squares, rsqrt, scale by the weight, truncf to bf16, 32x2048.
#id = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
#w = affine_map<(i, j) -> (j)>
func.func @rms16(%x: tensor<32x2048xbf16>, %g: tensor<2048xbf16>) -> tensor<32x2048xbf16> {
  %z = arith.constant 0.000000e+00 : f32
  %n = arith.constant 2.048000e+03 : f32
  %eps = arith.constant 9.99999997E-7 : f32
  %0 = tensor.empty() : tensor<32xf32>
  %1 = linalg.fill ins(%z : f32) outs(%0 : tensor<32xf32>) -> tensor<32xf32>
  %2 = linalg.generic {indexing_maps = [#id, #r], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<32x2048xbf16>) outs(%1 : tensor<32xf32>) {
  ^bb0(%a: bf16, %acc: f32):
    %f = arith.extf %a : bf16 to f32
    %sq = arith.mulf %f, %f : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<32xf32>
  %3 = tensor.empty() : tensor<32x2048xbf16>
  %4 = linalg.generic {indexing_maps = [#id, #r, #w, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %2, %g : tensor<32x2048xbf16>, tensor<32xf32>, tensor<2048xbf16>) outs(%3 : tensor<32x2048xbf16>) {
  ^bb0(%a: bf16, %ss: f32, %gw: bf16, %o: bf16):
    %m = arith.divf %ss, %n : f32
    %me = arith.addf %m, %eps : f32
    %rs = math.rsqrt %me : f32
    %f = arith.extf %a : bf16 to f32
    %y = arith.mulf %f, %rs : f32
    %gf = arith.extf %gw : bf16 to f32
    %yg = arith.mulf %y, %gf : f32
    %t = arith.truncf %yg : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<32x2048xbf16>
  return %4 : tensor<32x2048xbf16>
}
