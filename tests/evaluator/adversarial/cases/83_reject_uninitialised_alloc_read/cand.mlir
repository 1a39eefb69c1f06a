// BUG: %tmp is never initialised before linalg.matmul accumulates into it.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %tmp = memref.alloc() : memref<16x24xf32>
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%tmp : memref<16x24xf32>)
    linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
        ins(%tmp : memref<16x24xf32>) outs(%C : memref<16x24xf32>) {
    ^bb0(%t: f32, %c: f32):
      %s = arith.addf %c, %t : f32
      linalg.yield %s : f32
    }
    memref.dealloc %tmp : memref<16x24xf32>
    return
  }
}
