// Baseline with two explicitly marked outputs that are NOT the last argument:
// pos[i] = max(x[i], 0) * s[0], neg[i] = min(x[i], 0) * s[0]; the last argument %s is an INPUT.
#id = affine_map<(d0) -> (d0)>
#z = affine_map<(d0) -> (0)>
module {
  func.func @split(%x: memref<256xf32>, %pos: memref<256xf32> {neurojit.output}, %neg: memref<256xf32> {neurojit.output}, %s: memref<1xf32>) {
    linalg.generic {indexing_maps = [#id, #z, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %s : memref<256xf32>, memref<1xf32>) outs(%pos, %neg : memref<256xf32>, memref<256xf32>) {
    ^bb0(%a: f32, %sc: f32, %p: f32, %n: f32):
      %zero = arith.constant 0.0 : f32
      %mx = arith.maximumf %a, %zero : f32
      %mn = arith.minimumf %a, %zero : f32
      %p2 = arith.mulf %mx, %sc : f32
      %n2 = arith.mulf %mn, %sc : f32
      linalg.yield %p2, %n2 : f32, f32
    }
    return
  }
}
