// f32 in/out, x quantised to f16 in the middle: out[i] += sum_k f32(f16(x[i,k])) * w[k]
module {
  func.func @mvq(%x: memref<64x128xf32>, %w: memref<128xf32>, %out: memref<64xf32>) {
    linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (k)>, affine_map<(i, k) -> (i)>],
                    iterator_types = ["parallel", "reduction"]}
        ins(%x, %w : memref<64x128xf32>, memref<128xf32>) outs(%out : memref<64xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32):
      %q = arith.truncf %a : f32 to f16
      %ae = arith.extf %q : f16 to f32
      %p = arith.mulf %ae, %b : f32
      %s = arith.addf %c, %p : f32
      linalg.yield %s : f32
    }
    return
  }
}
