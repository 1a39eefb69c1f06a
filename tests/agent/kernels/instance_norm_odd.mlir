// InstanceNorm over (h, w) written on memrefs: y = (x - mean) / sqrt(var + eps) per (n, c), its statistics
// reduced over two trailing dims in scratch buffers (odd sizes: 3 x 5 x 7 x 9).
#x = affine_map<(n, c, h, w) -> (n, c, h, w)>
#s = affine_map<(n, c, h, w) -> (n, c)>
#st = affine_map<(n, c) -> (n, c)>
module {
  func.func @instance_norm(%x: memref<3x5x7x9xf32>, %y: memref<3x5x7x9xf32>) {
    %zero = arith.constant 0.0 : f32
    %count = arith.constant 63.0 : f32
    %eps = arith.constant 1.0e-5 : f32
    %mean = memref.alloc() : memref<3x5xf32>
    %var = memref.alloc() : memref<3x5xf32>
    linalg.fill ins(%zero : f32) outs(%mean : memref<3x5xf32>)
    linalg.fill ins(%zero : f32) outs(%var : memref<3x5xf32>)
    linalg.generic {indexing_maps = [#x, #s], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
        ins(%x : memref<3x5x7x9xf32>) outs(%mean : memref<3x5xf32>) {
    ^bb0(%v: f32, %acc: f32):
      %t = arith.addf %acc, %v : f32
      linalg.yield %t : f32
    }
    linalg.generic {indexing_maps = [#st], iterator_types = ["parallel", "parallel"]} outs(%mean : memref<3x5xf32>) {
    ^bb0(%acc: f32):
      %m = arith.divf %acc, %count : f32
      linalg.yield %m : f32
    }
    linalg.generic {indexing_maps = [#x, #s, #s], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
        ins(%x, %mean : memref<3x5x7x9xf32>, memref<3x5xf32>) outs(%var : memref<3x5xf32>) {
    ^bb0(%v: f32, %m: f32, %acc: f32):
      %d = arith.subf %v, %m : f32
      %sq = arith.mulf %d, %d : f32
      %t = arith.addf %acc, %sq : f32
      linalg.yield %t : f32
    }
    linalg.generic {indexing_maps = [#x, #s, #s, #x], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%x, %mean, %var : memref<3x5x7x9xf32>, memref<3x5xf32>, memref<3x5xf32>) outs(%y : memref<3x5x7x9xf32>) {
    ^bb0(%v: f32, %m: f32, %s: f32, %o: f32):
      %vv = arith.divf %s, %count : f32
      %ve = arith.addf %vv, %eps : f32
      %r = math.rsqrt %ve : f32
      %d = arith.subf %v, %m : f32
      %z = arith.mulf %d, %r : f32
      linalg.yield %z : f32
    }
    memref.dealloc %mean : memref<3x5xf32>
    memref.dealloc %var : memref<3x5xf32>
    return
  }
}
