// Baseline: cast 1024 f32 weights to bf16 (round to nearest even), out[i] = bf16(x[i]).
#id = affine_map<(d0) -> (d0)>
module {
  func.func @to_bf16(%x: memref<1024xf32>, %out: memref<1024xbf16>) {
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%x : memref<1024xf32>) outs(%out : memref<1024xbf16>) {
    ^bb0(%a: f32, %o: bf16):
      %t = arith.truncf %a : f32 to bf16
      linalg.yield %t : bf16
    }
    return
  }
}
