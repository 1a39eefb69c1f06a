// Row softmax 32x512 (f32), out overwritten.
#m2 = affine_map<(i, j) -> (i, j)>
#mr = affine_map<(i, j) -> (i)>
module {
  func.func @softmax(%x: memref<32x512xf32>, %out: memref<32x512xf32>) {
    %ninf = arith.constant 0xFF800000 : f32
    %zero = arith.constant 0.0 : f32
    %max = memref.alloc() : memref<32xf32>
    %sum = memref.alloc() : memref<32xf32>
    linalg.fill ins(%ninf : f32) outs(%max : memref<32xf32>)
    linalg.generic {indexing_maps = [#m2, #mr], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<32x512xf32>) outs(%max : memref<32xf32>) {
    ^bb0(%v: f32, %m: f32):
      %r = arith.maximumf %m, %v : f32
      linalg.yield %r : f32
    }
    linalg.generic {indexing_maps = [#m2, #mr, #m2], iterator_types = ["parallel", "parallel"]}
        ins(%x, %max : memref<32x512xf32>, memref<32xf32>) outs(%out : memref<32x512xf32>) {
    ^bb0(%v: f32, %m: f32, %u: f32):
      %d = arith.subf %v, %m : f32
      %e = math.exp %d : f32
      linalg.yield %e : f32
    }
    linalg.fill ins(%zero : f32) outs(%sum : memref<32xf32>)
    linalg.generic {indexing_maps = [#m2, #mr], iterator_types = ["parallel", "reduction"]}
        ins(%out : memref<32x512xf32>) outs(%sum : memref<32xf32>) {
    ^bb0(%e: f32, %a: f32):
      %r = arith.addf %a, %e : f32
      linalg.yield %r : f32
    }
    linalg.generic {indexing_maps = [#mr, #m2], iterator_types = ["parallel", "parallel"]}
        ins(%sum : memref<32xf32>) outs(%out : memref<32x512xf32>) {
    ^bb0(%s: f32, %e: f32):
      %r = arith.divf %e, %s : f32
      linalg.yield %r : f32
    }
    memref.dealloc %max : memref<32xf32>
    memref.dealloc %sum : memref<32xf32>
    return
  }
}
