#id = affine_map<(d0) -> (d0)>
module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf32>, memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      linalg.yield %s : f32
    }
    %c0 = arith.constant 0 : index
    %c6 = arith.constant 6 : index
    %c7 = arith.constant 7 : index
    %p = memref.extract_aligned_pointer_as_index %out : memref<1000xf32> -> index
    %sh = arith.shrui %p, %c6 : index
    %bits = arith.andi %sh, %c7 : index
    %bi = arith.index_cast %bits : index to i32
    %bf = arith.uitofp %bi : i32 to f32
    %v = memref.load %out[%c0] : memref<1000xf32>
    %v2 = arith.addf %v, %bf : f32
    memref.store %v2, %out[%c0] : memref<1000xf32>
    return
  }
}
