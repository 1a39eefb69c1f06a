// C += A * B^T (B stored row-major as N x K, as a linear layer's weight is).
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (j, k)>
#c = affine_map<(i, j, k) -> (i, j)>
module {
  func.func @matmul_bt(%A: memref<256x512xf32>, %B: memref<384x512xf32>, %C: memref<256x384xf32>) {
    linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%A, %B : memref<256x512xf32>, memref<384x512xf32>) outs(%C : memref<256x384xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %m = arith.mulf %p, %q : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }
    return
  }
}
