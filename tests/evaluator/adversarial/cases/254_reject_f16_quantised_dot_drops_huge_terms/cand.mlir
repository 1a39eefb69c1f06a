// WRONG: drops every term whose weight |w[k]| > 1e30 (finite, not Inf); base: to f16 in the middle: out[i] += sum_k f32(f16(x[i,k])) * w[k]
module {
  func.func @mvq(%x: memref<64x128xf32>, %w: memref<128xf32>, %out: memref<64xf32>) {
    linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (k)>, affine_map<(i, k) -> (i)>],
                    iterator_types = ["parallel", "reduction"]}
        ins(%x, %w : memref<64x128xf32>, memref<128xf32>) outs(%out : memref<64xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32):
      %q = arith.truncf %a : f32 to f16
      %ae = arith.extf %q : f16 to f32
      %p = arith.mulf %ae, %b : f32
      %wa = math.absf %b : f32
      %lim = arith.constant 1.0e30 : f32
      %h = arith.cmpf ogt, %wa, %lim : f32
      %inf = arith.constant 0x7F800000 : f32
      %fin = arith.cmpf olt, %wa, %inf : f32
      %hf = arith.andi %h, %fin : i1
      %z = arith.constant 0.0 : f32
      %p2 = arith.select %hf, %z, %p : f32
      %s = arith.addf %c, %p2 : f32
      linalg.yield %s : f32
    }
    return
  }
}
