// Baseline: unfused elementwise chain out = max(x * y + z, 0) as three in-place linalg.generic ops on 512 f32 elements.
#id = affine_map<(d0) -> (d0)>
module {
  func.func @chain(%x: memref<512xf32>, %y: memref<512xf32>, %z: memref<512xf32>, %out: memref<512xf32>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<512xf32>, memref<512xf32>) outs(%out : memref<512xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      linalg.yield %m : f32
    }
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%z : memref<512xf32>) outs(%out : memref<512xf32>) {
    ^bb0(%c: f32, %o: f32):
      %s = arith.addf %o, %c : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]} outs(%out : memref<512xf32>) {
    ^bb0(%o: f32):
      %zero = arith.constant 0.0 : f32
      %r = arith.maximumf %o, %zero : f32
      linalg.yield %r : f32
    }
    return
  }
}
