// copy the input to the output with memref.copy, then scale each row in place (odd sizes: 67 x 93, 6231
// elements, not a multiple of the copy's pieces)
module {
  func.func @copy_scale(%x: memref<67x93xf32>, %s: memref<67xf32>, %y: memref<67x93xf32>) {
    memref.copy %x, %y : memref<67x93xf32> to memref<67x93xf32>
    linalg.generic {indexing_maps = [affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>],
                    iterator_types = ["parallel", "parallel"]}
      ins(%s : memref<67xf32>) outs(%y : memref<67x93xf32>) {
    ^bb0(%a: f32, %v: f32):
      %m = arith.mulf %v, %a : f32
      linalg.yield %m : f32
    }
    return
  }
}
