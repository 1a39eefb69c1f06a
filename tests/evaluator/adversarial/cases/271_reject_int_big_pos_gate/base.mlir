// Baseline: integer accumulating reduction out[0] += sum_i x[i] over 777 i32 elements (wrapping arithmetic).
#id = affine_map<(d0) -> (d0)>
#z = affine_map<(d0) -> (0)>
module {
  func.func @isum(%x: memref<777xi32>, %out: memref<1xi32>) {
    linalg.generic {indexing_maps = [#id, #z], iterator_types = ["reduction"]}
        ins(%x : memref<777xi32>) outs(%out : memref<1xi32>) {
    ^bb0(%a: i32, %acc: i32):
      %s = arith.addi %acc, %a : i32
      linalg.yield %s : i32
    }
    return
  }
}
