// out[j] = sum_i x[i, j]: column sums over a batch of rows (a bias gradient, sum over the batch), zero-filled
// first. The reduced loop is outside the vector loop: each output is a running sum down a column.
#in = affine_map<(i, j) -> (i, j)>
#out = affine_map<(i, j) -> (j)>
module {
  func.func @col_sum(%x: memref<4096x512xf32>, %out: memref<512xf32>) {
    %zero = arith.constant 0.0 : f32
    linalg.fill ins(%zero : f32) outs(%out : memref<512xf32>)
    linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction", "parallel"]}
        ins(%x : memref<4096x512xf32>) outs(%out : memref<512xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
    return
  }
}
