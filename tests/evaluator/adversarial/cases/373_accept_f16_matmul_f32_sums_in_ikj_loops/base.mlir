// f16 x f16 -> f32 matmul accumulating in f32 (arith.extf in the body), 45x300x29: mixed precision.
module {
  func.func @mm(%a: memref<45x300xf16>, %b: memref<300x29xf16>, %c: memref<45x29xf32>) {
    %z = arith.constant 0.000000e+00 : f32
    linalg.fill ins(%z : f32) outs(%c : memref<45x29xf32>)
    linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %b : memref<45x300xf16>, memref<300x29xf16>) outs(%c : memref<45x29xf32>) {
    ^bb0(%x: f16, %y: f16, %acc: f32):
      %xe = arith.extf %x : f16 to f32
      %ye = arith.extf %y : f16 to f32
      %p = arith.mulf %xe, %ye : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    }
    return
  }
}
