// out[i] = max_j x[i, j] (a row max: its init -inf, as softmax and max pooling write it)
#m_in = affine_map<(d0, d1) -> (d0, d1)>
#m_out = affine_map<(d0, d1) -> (d0)>
module {
  func.func @rowmax(%x: memref<64x128xf32>, %out: memref<64xf32>) {
    %ninf = arith.constant 0xFF800000 : f32
    linalg.fill ins(%ninf : f32) outs(%out : memref<64xf32>)
    linalg.generic {indexing_maps = [#m_in, #m_out], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<64x128xf32>) outs(%out : memref<64xf32>) {
    ^bb0(%a: f32, %o: f32):
      %r = arith.maximumf %a, %o : f32
      linalg.yield %r : f32
    }
    return
  }
}
