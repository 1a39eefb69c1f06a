// Row softmax 13x37: m = max_j x; e = exp(x - m); s = sum_j e; out = e / s.
#map_2d = affine_map<(i, j) -> (i, j)>
#map_row = affine_map<(i, j) -> (i)>
module {
  func.func @softmax(%x: memref<13x37xf32>, %out: memref<13x37xf32>) {
    %neg_inf = arith.constant 0xFF800000 : f32
    %zero = arith.constant 0.0 : f32
    %max = memref.alloc() : memref<13xf32>
    %sum = memref.alloc() : memref<13xf32>
    linalg.fill ins(%neg_inf : f32) outs(%max : memref<13xf32>)
    linalg.generic {indexing_maps = [#map_2d, #map_row], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<13x37xf32>) outs(%max : memref<13xf32>) {
    ^bb0(%v: f32, %m: f32):
      %r = arith.maximumf %m, %v : f32
      linalg.yield %r : f32
    }
    linalg.generic {indexing_maps = [#map_2d, #map_row, #map_2d], iterator_types = ["parallel", "parallel"]}
        ins(%x, %max : memref<13x37xf32>, memref<13xf32>) outs(%out : memref<13x37xf32>) {
    ^bb0(%v: f32, %m: f32, %unused: f32):
      %d = arith.subf %v, %m : f32
      %e = math.exp %d : f32
      linalg.yield %e : f32
    }
    linalg.fill ins(%zero : f32) outs(%sum : memref<13xf32>)
    linalg.generic {indexing_maps = [#map_2d, #map_row], iterator_types = ["parallel", "reduction"]}
        ins(%out : memref<13x37xf32>) outs(%sum : memref<13xf32>) {
    ^bb0(%e: f32, %acc: f32):
      %r = arith.addf %acc, %e : f32
      linalg.yield %r : f32
    }
    linalg.generic {indexing_maps = [#map_row, #map_2d], iterator_types = ["parallel", "parallel"]}
        ins(%sum : memref<13xf32>) outs(%out : memref<13x37xf32>) {
    ^bb0(%s: f32, %e: f32):
      %r = arith.divf %e, %s : f32
      linalg.yield %r : f32
    }
    memref.dealloc %max : memref<13xf32>
    memref.dealloc %sum : memref<13xf32>
    return
  }
}
