// out[i] = sum_j x[i, j]; out is zero-filled first, then reduced into.
#map_in = affine_map<(i, j) -> (i, j)>
#map_out = affine_map<(i, j) -> (i)>
module {
  func.func @row_sum(%x: memref<512x1024xf32>, %out: memref<512xf32>) {
    %zero = arith.constant 0.0 : f32
    linalg.fill ins(%zero : f32) outs(%out : memref<512xf32>)
    linalg.generic {indexing_maps = [#map_in, #map_out],
                    iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<512x1024xf32>) outs(%out : memref<512xf32>) {
    ^bb0(%v: f32, %acc: f32):
      %s = arith.addf %acc, %v : f32
      linalg.yield %s : f32
    }
    return
  }
}
