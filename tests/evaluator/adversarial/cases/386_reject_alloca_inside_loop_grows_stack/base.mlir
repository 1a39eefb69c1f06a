// Baseline: accumulating reduction out[0] += sum_i x[i] over 1024 f32 elements (out initial content is read).
#id = affine_map<(d0) -> (d0)>
#z = affine_map<(d0) -> (0)>
module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    linalg.generic {indexing_maps = [#id, #z], iterator_types = ["reduction"]}
        ins(%x : memref<1024xf32>) outs(%out : memref<1xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}
