// Baseline: ReLU6 of x * y + x over 1000 f32 elements: out[i] = min(max(s, 0), 6), s = x[i] * y[i] + x[i].
// out is the output (last argument).
#id = affine_map<(d0) -> (d0)>
module {
  func.func @relu6(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %zero = arith.constant 0.0 : f32
    %six = arith.constant 6.0 : f32
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf32>, memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      %r = arith.maximumf %s, %zero : f32
      %c = arith.minimumf %r, %six : f32
      linalg.yield %c : f32
    }
    return
  }
}
