// out[i] = sum_j x[i, j] over i32 (wrapping), zero-filled first.
#in = affine_map<(i, j) -> (i, j)>
#out = affine_map<(i, j) -> (i)>
module {
  func.func @row_sum_i32_odd(%x: memref<37x50xi32>, %out: memref<37xi32>) {
    %zero = arith.constant 0 : i32
    linalg.fill ins(%zero : i32) outs(%out : memref<37xi32>)
    linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<37x50xi32>) outs(%out : memref<37xi32>) {
    ^bb0(%v: i32, %acc: i32):
      %s = arith.addi %acc, %v : i32
      linalg.yield %s : i32
    }
    return
  }
}
