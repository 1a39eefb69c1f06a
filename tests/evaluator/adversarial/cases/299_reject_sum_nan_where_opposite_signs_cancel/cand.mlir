// WRONG: NaN where a and b have opposite signs and |a|/2 + |b|/2 >= 1.7015e38 (> max/2) (a + b cannot overflow in any order there)
module {
  func.func @sumdiv(%a: memref<1024xf32>, %b: memref<1024xf32>, %d: memref<1024xf32>, %out: memref<1024xf32> {neurojit.output}) {
    %half = arith.constant 0.5 : f32
    %lim = arith.constant 1.7015e38 : f32
    %zero = arith.constant 0.0 : f32
    %nan = arith.constant 0x7FC00000 : f32
    %inf = arith.constant 0x7F800000 : f32
    affine.for %i = 0 to 1024 {
      %x = affine.load %a[%i] : memref<1024xf32>
      %y = affine.load %b[%i] : memref<1024xf32>
      %z = affine.load %d[%i] : memref<1024xf32>
      %s = arith.addf %x, %y : f32
      %q = arith.addf %s, %zero : f32
      %unused = arith.addf %z, %zero : f32
      %ax = math.absf %x : f32
      %ay = math.absf %y : f32
      %hx = arith.mulf %ax, %half : f32
      %hy = arith.mulf %ay, %half : f32
      %h = arith.addf %hx, %hy : f32
      %big = arith.cmpf oge, %h, %lim : f32
      %pr = arith.mulf %x, %y : f32
      %opp = arith.cmpf olt, %pr, %zero : f32
      %fin = arith.cmpf olt, %h, %inf : f32
      %c0 = arith.andi %big, %opp : i1
      %c = arith.andi %c0, %fin : i1
      %r = arith.select %c, %nan, %q : f32
      affine.store %r, %out[%i] : memref<1024xf32>
    }
    return
  }
}
