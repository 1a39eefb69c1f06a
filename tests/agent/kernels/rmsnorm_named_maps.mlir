// RMSNorm as StableHLO lowers it: linalg.map / linalg.reduce / linalg.broadcast, every broadcast written out
func.func @rms(%x: tensor<129x771xf32>, %g: tensor<771xf32>) -> tensor<129x771xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 771.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %e2 = tensor.empty() : tensor<129x771xf32>
  %e1 = tensor.empty() : tensor<129xf32>
  %sq = linalg.map { arith.mulf } ins(%x, %x : tensor<129x771xf32>, tensor<129x771xf32>) outs(%e2 : tensor<129x771xf32>)
  %z = linalg.fill ins(%zero : f32) outs(%e1 : tensor<129xf32>) -> tensor<129xf32>
  %ss = linalg.reduce { arith.addf } ins(%sq : tensor<129x771xf32>) outs(%z : tensor<129xf32>) dimensions = [1]
  %inv = linalg.map ins(%ss : tensor<129xf32>) outs(%e1 : tensor<129xf32>)
    (%v: f32, %o: f32) {
      %m = arith.divf %v, %n : f32
      %a = arith.addf %m, %eps : f32
      %r = math.rsqrt %a : f32
      linalg.yield %r : f32
    }
  %ib = linalg.broadcast ins(%inv : tensor<129xf32>) outs(%e2 : tensor<129x771xf32>) dimensions = [1]
  %gb = linalg.broadcast ins(%g : tensor<771xf32>) outs(%e2 : tensor<129x771xf32>) dimensions = [0]
  %y = linalg.map { arith.mulf } ins(%x, %ib : tensor<129x771xf32>, tensor<129x771xf32>) outs(%e2 : tensor<129x771xf32>)
  %o = linalg.map { arith.mulf } ins(%y, %gb : tensor<129x771xf32>, tensor<129x771xf32>) outs(%e2 : tensor<129x771xf32>)
  return %o : tensor<129x771xf32>
}
