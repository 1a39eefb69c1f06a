// Row L2 norms, n[i] = sqrt(sum_j x[i,j]^2), 64x256 f32.
#m = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i) -> (i)>
#rr = affine_map<(i, j) -> (i)>
module {
  func.func @norm(%x: memref<64x256xf32>, %n: memref<64xf32>) {
    %z = arith.constant 0.0 : f32
    linalg.fill ins(%z : f32) outs(%n : memref<64xf32>)
    linalg.generic {indexing_maps = [#m, #rr], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<64x256xf32>) outs(%n : memref<64xf32>) {
    ^bb0(%v: f32, %a: f32):
      %q = arith.mulf %v, %v : f32
      %t = arith.addf %a, %q : f32
      linalg.yield %t : f32
    }
    linalg.generic {indexing_maps = [#r], iterator_types = ["parallel"]} outs(%n : memref<64xf32>) {
    ^bb0(%a: f32):
      %s = math.sqrt %a : f32
      linalg.yield %s : f32
    }
    return
  }
}
