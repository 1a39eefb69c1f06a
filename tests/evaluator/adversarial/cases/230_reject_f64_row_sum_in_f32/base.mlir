// out[i, j] = x[i, j] / s[i], s[i] = sum_j x[i, j] (signed data), 16x300; s is a temporary.
#in = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
module {
  func.func @rownorm(%x: memref<16x300xf64>, %out: memref<16x300xf64>) {
    %zero = arith.constant 0.0 : f64
    %s = memref.alloc() : memref<16xf64>
    linalg.fill ins(%zero : f64) outs(%s : memref<16xf64>)
    linalg.generic {indexing_maps = [#in, #row], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<16x300xf64>) outs(%s : memref<16xf64>) {
    ^bb0(%v: f64, %acc: f64):
      %a = arith.addf %acc, %v : f64
      linalg.yield %a : f64
    }
    linalg.generic {indexing_maps = [#in, #row, #in], iterator_types = ["parallel", "parallel"]}
        ins(%x, %s : memref<16x300xf64>, memref<16xf64>) outs(%out : memref<16x300xf64>) {
    ^bb0(%v: f64, %t: f64, %o: f64):
      %d = arith.divf %v, %t : f64
      linalg.yield %d : f64
    }
    memref.dealloc %s : memref<16xf64>
    return
  }
}
