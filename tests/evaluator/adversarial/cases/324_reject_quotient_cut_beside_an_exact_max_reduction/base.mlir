// Absmax normalisation (before quantisation): out[i] = x[i] / max_k |x[k]| over 4096 f32.
#v = affine_map<(k) -> (k)>
#s = affine_map<(k) -> (0)>
module {
  func.func @absmax_norm(%x: memref<4096xf32>, %out: memref<4096xf32>) {
    %m = memref.alloc() : memref<1xf32>
    %z = arith.constant 0.0 : f32
    linalg.fill ins(%z : f32) outs(%m : memref<1xf32>)
    linalg.generic {indexing_maps = [#v, #s], iterator_types = ["reduction"]}
        ins(%x : memref<4096xf32>) outs(%m : memref<1xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %b = math.absf %a : f32
      %r = arith.maximumf %acc, %b : f32
      linalg.yield %r : f32
    }
    linalg.generic {indexing_maps = [#v, #s, #v], iterator_types = ["parallel"]}
        ins(%x, %m : memref<4096xf32>, memref<1xf32>) outs(%out : memref<4096xf32>) {
    ^bb0(%a: f32, %mx: f32, %o: f32):
      %q = arith.divf %a, %mx : f32
      linalg.yield %q : f32
    }
    memref.dealloc %m : memref<1xf32>
    return
  }
}
