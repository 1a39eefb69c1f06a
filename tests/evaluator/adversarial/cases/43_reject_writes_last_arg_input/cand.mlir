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
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    memref.store %zero, %s[%c0] : memref<1xf32>
    return
  }
}
