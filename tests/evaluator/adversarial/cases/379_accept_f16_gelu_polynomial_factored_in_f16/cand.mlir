// The same GELU in f16 with its inner polynomial factored, v (1 + c v^2): other roundings, in f16 too.
module {
  func.func @gelu(%x: memref<37x100xf16>, %b: memref<100xf16>, %o: memref<37x100xf16>) {
    %half = arith.constant 5.000000e-01 : f16
    %one = arith.constant 1.000000e+00 : f16
    %c0 = arith.constant 7.978510e-01 : f16
    %c1 = arith.constant 4.471500e-02 : f16
    linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>],
                    iterator_types = ["parallel", "parallel"]}
        ins(%x, %b : memref<37x100xf16>, memref<100xf16>) outs(%o : memref<37x100xf16>) {
    ^bb0(%a: f16, %bb: f16, %out: f16):
      %v = arith.addf %a, %bb : f16
      %v2 = arith.mulf %v, %v : f16
      %t = arith.mulf %v2, %c1 : f16
      %t1 = arith.addf %t, %one : f16
      %u = arith.mulf %v, %t1 : f16
      %w = arith.mulf %u, %c0 : f16
      %th = math.tanh %w : f16
      %p = arith.addf %th, %one : f16
      %q = arith.mulf %v, %half : f16
      %r = arith.mulf %q, %p : f16
      linalg.yield %r : f16
    }
    return
  }
}
