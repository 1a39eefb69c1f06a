// Numerically stable row softmax:
//   m[i] = max_j x[i,j];  e = exp(x - m);  s[i] = sum_j e[i,j];  out = e / s.
// The per-row max and sum live in small temporaries (alloc'd and dealloc'd).
// out is fully overwritten, so its initial contents are ignored.
#map_2d = affine_map<(i, j) -> (i, j)>
#map_row = affine_map<(i, j) -> (i)>
module {
  func.func @softmax(%x: memref<64x1024xf32>, %out: memref<64x1024xf32>) {
    %neg_inf = arith.constant 0xFF800000 : f32
    %zero = arith.constant 0.0 : f32
    %max = memref.alloc() : memref<64xf32>
    %sum = memref.alloc() : memref<64xf32>

    // Row max.
    linalg.fill ins(%neg_inf : f32) outs(%max : memref<64xf32>)
    linalg.generic {indexing_maps = [#map_2d, #map_row],
                    iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<64x1024xf32>) outs(%max : memref<64xf32>) {
    ^bb0(%v: f32, %m: f32):
      %r = arith.maximumf %m, %v : f32
      linalg.yield %r : f32
    }

    // out = exp(x - max).
    linalg.generic {indexing_maps = [#map_2d, #map_row, #map_2d],
                    iterator_types = ["parallel", "parallel"]}
        ins(%x, %max : memref<64x1024xf32>, memref<64xf32>)
        outs(%out : memref<64x1024xf32>) {
    ^bb0(%v: f32, %m: f32, %unused: f32):
      %d = arith.subf %v, %m : f32
      %e = math.exp %d : f32
      linalg.yield %e : f32
    }

    // Row sum of the exponentials.
    linalg.fill ins(%zero : f32) outs(%sum : memref<64xf32>)
    linalg.generic {indexing_maps = [#map_2d, #map_row],
                    iterator_types = ["parallel", "reduction"]}
        ins(%out : memref<64x1024xf32>) outs(%sum : memref<64xf32>) {
    ^bb0(%e: f32, %acc: f32):
      %r = arith.addf %acc, %e : f32
      linalg.yield %r : f32
    }

    // Normalize in place.
    linalg.generic {indexing_maps = [#map_row, #map_2d],
                    iterator_types = ["parallel", "parallel"]}
        ins(%sum : memref<64xf32>) outs(%out : memref<64x1024xf32>) {
    ^bb0(%s: f32, %e: f32):
      %r = arith.divf %e, %s : f32
      linalg.yield %r : f32
    }

    memref.dealloc %max : memref<64xf32>
    memref.dealloc %sum : memref<64xf32>
    return
  }
}
