// The matmul accumulating in f16 (what a half-precision FMA unit would do): 3 decimal digits, where the baseline keeps 7.
module {
  func.func @mm(%a: memref<45x300xf16>, %b: memref<300x29xf16>, %c: memref<45x29xf32>) {
    %z = arith.constant 0.000000e+00 : f16
    %t = memref.alloc() : memref<45x29xf16>
    linalg.fill ins(%z : f16) outs(%t : memref<45x29xf16>)
    linalg.matmul ins(%a, %b : memref<45x300xf16>, memref<300x29xf16>) outs(%t : memref<45x29xf16>)
    linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
        ins(%t : memref<45x29xf16>) outs(%c : memref<45x29xf32>) {
    ^bb0(%v: f16, %o: f32):
      %w = arith.extf %v : f16 to f32
      linalg.yield %w : f32
    }
    memref.dealloc %t : memref<45x29xf16>
    return
  }
}
