// GELU in f32, its f16 result cut to 9 significant bits (low 2 bits cleared).
module {
  func.func @gelu(%x: memref<37x100xf16>, %b: memref<100xf16>, %o: memref<37x100xf16>) {
    %half = arith.constant 5.000000e-01 : f32
    %one = arith.constant 1.000000e+00 : f32
    %c0 = arith.constant 0.797884583 : f32
    %c1 = arith.constant 4.471500e-02 : f32
    linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>],
                    iterator_types = ["parallel", "parallel"]}
        ins(%x, %b : memref<37x100xf16>, memref<100xf16>) outs(%o : memref<37x100xf16>) {
    ^bb0(%a16: f16, %b16: f16, %out: f16):
      %a = arith.extf %a16 : f16 to f32
      %bb = arith.extf %b16 : f16 to f32
      %v = arith.addf %a, %bb : f32
      %v2 = arith.mulf %v, %v : f32
      %v3 = arith.mulf %v2, %v : f32
      %t = arith.mulf %v3, %c1 : f32
      %u = arith.addf %v, %t : f32
      %w = arith.mulf %u, %c0 : f32
      %th = math.tanh %w : f32
      %p = arith.addf %th, %one : f32
      %q = arith.mulf %v, %half : f32
      %r = arith.mulf %q, %p : f32
      %r16a = arith.truncf %r : f32 to f16
      %bits = arith.bitcast %r16a : f16 to i16
      %mask = arith.constant -4 : i16
      %cut = arith.andi %bits, %mask : i16
      %r16 = arith.bitcast %cut : i16 to f16
      linalg.yield %r16 : f16
    }
    return
  }
}
