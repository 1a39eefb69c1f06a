// C = A^T B written as linalg.contract (MLIR 21+), A stored K x M, at odd sizes
#mapA = affine_map<(m, n, k) -> (k, m)>
#mapB = affine_map<(m, n, k) -> (k, n)>
#mapC = affine_map<(m, n, k) -> (m, n)>
func.func @contract_atb(%A: tensor<67x45xf32>, %B: tensor<67x53xf32>) -> tensor<45x53xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<45x53xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<45x53xf32>) -> tensor<45x53xf32>
  %r = linalg.contract indexing_maps = [#mapA, #mapB, #mapC]
         ins(%A, %B : tensor<67x45xf32>, tensor<67x53xf32>)
         outs(%f : tensor<45x53xf32>) -> tensor<45x53xf32>
  return %r : tensor<45x53xf32>
}
