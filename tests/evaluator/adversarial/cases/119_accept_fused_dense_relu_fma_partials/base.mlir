// Baseline: dense layer Out(8x12) = relu(A(8x16) @ W(16x12) + bias(12)), Out zero-filled first (its initial contents are ignored).
#map_2d = affine_map<(i, j) -> (i, j)>
#map_bias = affine_map<(i, j) -> (j)>
module {
  func.func @dense(%A: memref<8x16xf32>, %W: memref<16x12xf32>, %bias: memref<12xf32>, %Out: memref<8x12xf32> {neurojit.output}) {
    %zero = arith.constant 0.0 : f32
    linalg.fill ins(%zero : f32) outs(%Out : memref<8x12xf32>)
    linalg.matmul ins(%A, %W : memref<8x16xf32>, memref<16x12xf32>) outs(%Out : memref<8x12xf32>)
    linalg.generic {indexing_maps = [#map_bias, #map_2d], iterator_types = ["parallel", "parallel"]}
        ins(%bias : memref<12xf32>) outs(%Out : memref<8x12xf32>) {
    ^bb0(%b: f32, %acc: f32):
      %sum = arith.addf %acc, %b : f32
      %relu = arith.maximumf %sum, %zero : f32
      linalg.yield %relu : f32
    }
    return
  }
}
