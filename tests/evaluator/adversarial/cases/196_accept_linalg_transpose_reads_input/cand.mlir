// Copies %x into a scratch buffer with linalg.transpose (an op whose input and init carry no segment sizes),
// computes from the copy and frees it: every write goes to the scratch or to %out.
#id = affine_map<(d0) -> (d0)>
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %tmp = memref.alloc() : memref<1000xf32>
    linalg.transpose ins(%x : memref<1000xf32>) outs(%tmp : memref<1000xf32>) permutation = [0]
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%tmp, %y : memref<1000xf32>, memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      linalg.yield %s : f32
    }
    memref.dealloc %tmp : memref<1000xf32>
    return
  }
}
