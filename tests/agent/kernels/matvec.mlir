#a = affine_map<(i, j) -> (i, j)>
#x = affine_map<(i, j) -> (j)>
#y = affine_map<(i, j) -> (i)>
module {
  func.func @matvec(%A: memref<37x50xf32>, %x: memref<50xf32>, %y: memref<37xf32>) {
    linalg.generic {indexing_maps = [#a, #x, #y], iterator_types = ["parallel", "reduction"]}
      ins(%A, %x : memref<37x50xf32>, memref<50xf32>) outs(%y : memref<37xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    return
  }
}
