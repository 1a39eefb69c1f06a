// Softmax on tensors as explicit generics: row max (maximumf), one fused generic for exp(x - m) and the
// row sum... then the normalisation as multiplication by the reciprocal of the sum (>= 1 when finite).
#x = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
func.func @softmax(%logits: tensor<13x37xf32>) -> tensor<13x37xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %er = tensor.empty() : tensor<13xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<13xf32>) -> tensor<13xf32>
  %m = linalg.generic {indexing_maps = [#x, #r], iterator_types = ["parallel", "reduction"]}
      ins(%logits : tensor<13x37xf32>) outs(%mi : tensor<13xf32>) {
  ^bb0(%v: f32, %a: f32):
    %b = arith.maximumf %a, %v : f32
    linalg.yield %b : f32
  } -> tensor<13xf32>
  %e2 = tensor.empty() : tensor<13x37xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<13xf32>) -> tensor<13xf32>
  %ex:2 = linalg.generic {indexing_maps = [#x, #r, #x, #r], iterator_types = ["parallel", "reduction"]}
      ins(%logits, %m : tensor<13x37xf32>, tensor<13xf32>) outs(%e2, %si : tensor<13x37xf32>, tensor<13xf32>) {
  ^bb0(%v: f32, %mx: f32, %o: f32, %s: f32):
    %d = arith.subf %v, %mx : f32
    %e = math.exp %d : f32
    %t = arith.addf %s, %e : f32
    linalg.yield %e, %t : f32, f32
  } -> (tensor<13x37xf32>, tensor<13xf32>)
  %res = linalg.generic {indexing_maps = [#x, #r, #x], iterator_types = ["parallel", "parallel"]}
      ins(%ex#0, %ex#1 : tensor<13x37xf32>, tensor<13xf32>) outs(%e2 : tensor<13x37xf32>) {
  ^bb0(%e: f32, %s: f32, %o: f32):
    %rc = arith.divf %one, %s : f32
    %q = arith.mulf %e, %rc : f32
    linalg.yield %q : f32
  } -> tensor<13x37xf32>
  return %res : tensor<13x37xf32>
}
