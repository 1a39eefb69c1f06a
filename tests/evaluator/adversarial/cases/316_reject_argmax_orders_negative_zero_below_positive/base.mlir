// Row-wise argmax over 16 x 32: the largest value of each row and the column where it first occurs (an index output beside a float one).
#in = affine_map<(i, j) -> (i, j)>
#out = affine_map<(i, j) -> (i)>
module {
  func.func @argmax(%x: memref<16x32xf32>, %val: memref<16xf32> {neurojit.output},
                    %idx: memref<16xi32> {neurojit.output}) {
    %ninf = arith.constant 0xFF800000 : f32
    %zero = arith.constant 0 : i32
    linalg.fill ins(%ninf : f32) outs(%val : memref<16xf32>)
    linalg.fill ins(%zero : i32) outs(%idx : memref<16xi32>)
    linalg.generic {indexing_maps = [#in, #out, #out], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<16x32xf32>) outs(%val, %idx : memref<16xf32>, memref<16xi32>) {
    ^bb0(%a: f32, %m: f32, %k: i32):
      %j = linalg.index 1 : index
      %ji = arith.index_cast %j : index to i32
      %gt = arith.cmpf ogt, %a, %m : f32
      %nm = arith.select %gt, %a, %m : f32
      %nk = arith.select %gt, %ji, %k : i32
      linalg.yield %nm, %nk : f32, i32
    }
    return
  }
}
