#id = affine_map<(d0) -> (d0)>
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %xs = memref.subview %x[0] [500] [1] : memref<1000xf32> to memref<500xf32, strided<[1]>>
    %ys = memref.subview %y[0] [500] [1] : memref<1000xf32> to memref<500xf32, strided<[1]>>
    %os = memref.subview %out[0] [500] [1] : memref<1000xf32> to memref<500xf32, strided<[1]>>
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%xs, %ys : memref<500xf32, strided<[1]>>, memref<500xf32, strided<[1]>>) outs(%os : memref<500xf32, strided<[1]>>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}
