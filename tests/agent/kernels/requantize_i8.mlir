// requantize f32 -> i8 (quantize_per_tensor lowered): round(x * 20) + 3, clamped to [-128, 127]
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @quant(%x: memref<255x513xf32>, %q: memref<255x513xi8>) {
  %inv = arith.constant 20.0 : f32
  %zp = arith.constant 3.0 : f32
  %lo = arith.constant -128.0 : f32
  %hi = arith.constant 127.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : memref<255x513xf32>) outs(%q : memref<255x513xi8>) {
  ^bb0(%a: f32, %o: i8):
    %s = arith.mulf %a, %inv : f32
    %r = math.roundeven %s : f32
    %z = arith.addf %r, %zp : f32
    %c1 = arith.maximumf %z, %lo : f32
    %c2 = arith.minimumf %c1, %hi : f32
    %i = arith.fptosi %c2 : f32 to i8
    linalg.yield %i : i8
  }
  return
}
