// out[j] = max(lowest, max_i x[i, j]) over 2050 rows of 257 i32 columns, the output filled first
#a = affine_map<(i, j) -> (i, j)>
#o = affine_map<(i, j) -> (j)>
module {
  func.func @colmax_i32_odd(%x: memref<2050x257xi32>, %o: memref<257xi32>) {
    %lo = arith.constant -2147483648 : i32
    linalg.fill ins(%lo : i32) outs(%o : memref<257xi32>)
    linalg.generic {indexing_maps = [#a, #o], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<2050x257xi32>) outs(%o : memref<257xi32>) {
    ^bb0(%p: i32, %acc: i32):
      %s = arith.maxsi %acc, %p : i32
      linalg.yield %s : i32
    }
    return
  }
}
