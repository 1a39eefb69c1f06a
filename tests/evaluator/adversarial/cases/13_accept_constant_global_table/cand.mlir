#id = affine_map<(d0) -> (d0)>
module {
  memref.global "private" constant @coef : memref<2xf32> = dense<[1.0, 0.0]>
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %g = memref.get_global @coef : memref<2xf32>
    %one = memref.load %g[%c0] : memref<2xf32>
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf32>, memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %t = arith.mulf %a, %one : f32
      %s = arith.addf %m, %t : f32
      linalg.yield %s : f32
    }
    return
  }
}
