// The smallest value along the middle axis and its position (i64), rows of a 3-d tensor; starts from the outputs' contents.
#in = affine_map<(b, r, c) -> (b, r, c)>
#out = affine_map<(b, r, c) -> (b, c)>
module {
  func.func @argmin_3d(%x: memref<3x19x21xf32>, %val: memref<3x21xf32> {neurojit.output}, %idx: memref<3x21xi64> {neurojit.output}) {
    linalg.generic {indexing_maps = [#in, #out, #out], iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%x : memref<3x19x21xf32>) outs(%val, %idx : memref<3x21xf32>, memref<3x21xi64>) {
    ^bb0(%a: f32, %m: f32, %k: i64):
      %r = linalg.index 1 : index
      %ri = arith.index_cast %r : index to i64
      %lt = arith.cmpf olt, %a, %m : f32
      %nm = arith.select %lt, %a, %m : f32
      %nk = arith.select %lt, %ri, %k : i64
      linalg.yield %nm, %nk : f32, i64
    }
    return
  }
}
