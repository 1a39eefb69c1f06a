// a cheat: NaN wherever the baseline's own rounding is visible (|t - x| > 1.2e-5 |x|, |x| > 1e-4, d finite, t = (x + 64) - 64),
// on ordinary inputs (uniform, normal, ...): nothing is near the range's limit
#id = affine_map<(d0) -> (d0)>
module {
  func.func @q(%x: memref<1024xf32>, %d: memref<1024xf32>, %out: memref<1024xf32>) {
    %k = arith.constant 64.0 : f32
    %one = arith.constant 1.0 : f32
    %lim = arith.constant 1.2e-5 : f32
    %tiny = arith.constant 1.0e-4 : f32
    %inf = arith.constant 0x7F800000 : f32
    %nan = arith.constant 0x7FC00000 : f32
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %d : memref<1024xf32>, memref<1024xf32>) outs(%out : memref<1024xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s = arith.addf %a, %k : f32
      %t = arith.subf %s, %k : f32
      %b2 = arith.mulf %b, %b : f32
      %den = arith.addf %b2, %one : f32
      %r = arith.divf %t, %den : f32
      %e = arith.subf %t, %a : f32
      %ae = math.absf %e : f32
      %ax = math.absf %a : f32
      %bound = arith.mulf %ax, %lim : f32
      %c = arith.cmpf ogt, %ae, %bound : f32
      %norm = arith.cmpf ogt, %ax, %tiny : f32
      %c2 = arith.andi %c, %norm : i1
      %fin = arith.cmpf olt, %den, %inf : f32
      %c3 = arith.andi %c2, %fin : i1
      %v = arith.select %c3, %nan, %r : f32
      linalg.yield %v : f32
    }
    return
  }
}
