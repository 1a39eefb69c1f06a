// C += A^T B with A stored k-major (A[k, i]), odd sizes
#a = affine_map<(i, j, k) -> (k, i)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
module {
  func.func @matmul_ta(%A: memref<29x33xf32>, %B: memref<29x45xf32>, %C: memref<33x45xf32>) {
    linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%A, %B : memref<29x33xf32>, memref<29x45xf32>) outs(%C : memref<33x45xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    return
  }
}
