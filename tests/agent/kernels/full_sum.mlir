// torch.sum(x) to a rank-0 scalar: linalg.reduce over both dims into tensor<f32> (its fill has no loops)
module {
  func.func @full_sum(%x: tensor<37x50xf32>) -> tensor<f32> {
    %cst = arith.constant 0.000000e+00 : f32
    %e = tensor.empty() : tensor<f32>
    %z = linalg.fill ins(%cst : f32) outs(%e : tensor<f32>) -> tensor<f32>
    %s = linalg.reduce ins(%x : tensor<37x50xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
      (%in: f32, %init: f32) {
        %0 = arith.addf %in, %init : f32
        linalg.yield %0 : f32
      }
    return %s : tensor<f32>
  }
}
