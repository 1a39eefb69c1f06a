// GELU, tanh form, 33x47: out = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
module {
  func.func @gelu(%x: memref<33x47xf32>, %out: memref<33x47xf32>) {
    linalg.map ins(%x : memref<33x47xf32>) outs(%out : memref<33x47xf32>)
      (%v: f32, %init: f32) {
        %half = arith.constant 0.5 : f32
        %one = arith.constant 1.0 : f32
        %k = arith.constant 0.7978845608 : f32
        %c = arith.constant 0.044715 : f32
        %v2 = arith.mulf %v, %v : f32
        %v3 = arith.mulf %v2, %v : f32
        %cv3 = arith.mulf %c, %v3 : f32
        %inner = arith.addf %v, %cv3 : f32
        %arg = arith.mulf %k, %inner : f32
        %t = math.tanh %arg : f32
        %onet = arith.addf %one, %t : f32
        %hv = arith.mulf %half, %v : f32
        %r = arith.mulf %hv, %onet : f32
        linalg.yield %r : f32
      }
    return
  }
}
