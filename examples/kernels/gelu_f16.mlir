// Bias + GELU (tanh form) in half precision, as a front end emits an f16 model's MLP epilogue: every op in f16.
func.func @gelu_f16(%x: tensor<256x3072xf16>, %b: tensor<3072xf16>) -> tensor<256x3072xf16> {
  %half = arith.constant 5.000000e-01 : f16
  %one = arith.constant 1.000000e+00 : f16
  %k = arith.constant 7.978510e-01 : f16
  %c = arith.constant 4.471500e-02 : f16
  %0 = tensor.empty() : tensor<256x3072xf16>
  %1 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<256x3072xf16>, tensor<3072xf16>) outs(%0 : tensor<256x3072xf16>) {
  ^bb0(%a: f16, %bias: f16, %o: f16):
    %v = arith.addf %a, %bias : f16
    %v2 = arith.mulf %v, %v : f16
    %v3 = arith.mulf %v2, %v : f16
    %cv3 = arith.mulf %v3, %c : f16
    %inner = arith.addf %v, %cv3 : f16
    %arg = arith.mulf %inner, %k : f16
    %t = math.tanh %arg : f16
    %onet = arith.addf %t, %one : f16
    %hv = arith.mulf %v, %half : f16
    %r = arith.mulf %hv, %onet : f16
    linalg.yield %r : f16
  } -> tensor<256x3072xf16>
  return %1 : tensor<256x3072xf16>
}
