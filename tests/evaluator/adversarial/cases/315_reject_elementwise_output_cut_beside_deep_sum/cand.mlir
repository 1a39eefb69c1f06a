// CHEAT: the elementwise output h = x + r rounded to 18-bit significands (32x the error of one rounding);
// the tolerance comes from the OTHER output's 4096-deep reduction.
// Fused residual add + sum of squares (the first half of an RMSNorm):
//   h = x + r (16 x 4096, elementwise);  ss[i] = sum_j h[i, j]^2 (16, a 4096-deep reduction).
#m = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
module {
  func.func @resid(%x: memref<16x4096xf32>, %res: memref<16x4096xf32>,
                   %h: memref<16x4096xf32> {neurojit.output}, %ss: memref<16xf32> {neurojit.output}) {
    %z = arith.constant 0.0 : f32
    linalg.generic {indexing_maps = [#m, #m, #m], iterator_types = ["parallel", "parallel"]}
        ins(%x, %res : memref<16x4096xf32>, memref<16x4096xf32>) outs(%h : memref<16x4096xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %s0 = arith.addf %a, %b : f32
      // round the sum to an 18-bit significand (5 low bits of 23 dropped, to nearest)
      %bits = arith.bitcast %s0 : f32 to i32
      %half = arith.constant 16 : i32
      %mask = arith.constant -32 : i32
      %rb = arith.addi %bits, %half : i32
      %mb = arith.andi %rb, %mask : i32
      %sr = arith.bitcast %mb : i32 to f32
      %abs = math.absf %s0 : f32
      %big = arith.constant 3.0e38 : f32
      %keep0 = arith.cmpf uge, %abs, %big : f32
      %s = arith.select %keep0, %s0, %sr : f32
      linalg.yield %s : f32
    }
    linalg.fill ins(%z : f32) outs(%ss : memref<16xf32>)
    linalg.generic {indexing_maps = [#m, #r], iterator_types = ["parallel", "reduction"]}
        ins(%h : memref<16x4096xf32>) outs(%ss : memref<16xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %q = arith.mulf %a, %a : f32
      %s = arith.addf %acc, %q : f32
      linalg.yield %s : f32
    }
    return
  }
}
