// f64 row sum
#x = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
#v = affine_map<(i) -> (i)>
#z = affine_map<(i) -> ()>
module {
  func.func @rowsum(%x: memref<64x1000xf64>, %out: memref<64xf64>) {
    %zero = arith.constant 0.0 : f64
    linalg.fill ins(%zero : f64) outs(%out : memref<64xf64>)
    linalg.generic {indexing_maps = [#x, #r], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<64x1000xf64>) outs(%out : memref<64xf64>) {
    ^bb0(%a: f64, %acc: f64):
      %t = arith.addf %acc, %a : f64
      linalg.yield %t : f64
    }

    return
  }
}
