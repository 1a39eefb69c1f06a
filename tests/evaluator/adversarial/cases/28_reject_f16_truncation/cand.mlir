#mA = affine_map<(i, j, k) -> (i, k)>
#mB = affine_map<(i, j, k) -> (k, j)>
#mC = affine_map<(i, j, k) -> (i, j)>
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%C : memref<16x24xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32):
      %ah = arith.truncf %a : f32 to f16
      %bh = arith.truncf %b : f32 to f16
      %ch = arith.truncf %c : f32 to f16
      %p = arith.mulf %ah, %bh : f16
      %s = arith.addf %ch, %p : f16
      %r = arith.extf %s : f16 to f32
      linalg.yield %r : f32
    }
    return
  }
}
