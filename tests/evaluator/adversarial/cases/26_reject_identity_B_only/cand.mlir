#id2 = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @matmul_sq(%A: memref<16x16xf32>, %B: memref<16x16xf32>, %C: memref<16x16xf32>) {
    linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
        ins(%A : memref<16x16xf32>) outs(%C : memref<16x16xf32>) {
    ^bb0(%a: f32, %c: f32):
      %s = arith.addf %c, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}
