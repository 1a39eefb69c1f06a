// Dense layer: Out = relu(A @ W + bias), bias broadcast along rows.
// Out is zero-filled first, so the result does not depend on its initial contents.
#map_2d = affine_map<(i, j) -> (i, j)>
#map_bias = affine_map<(i, j) -> (j)>
module {
  func.func @dense_relu(%A: memref<256x512xf32>, %W: memref<512x256xf32>,
                        %bias: memref<256xf32>,
                        %Out: memref<256x256xf32> {neurojit.output}) {
    %zero = arith.constant 0.0 : f32
    linalg.fill ins(%zero : f32) outs(%Out : memref<256x256xf32>)
    linalg.matmul ins(%A, %W : memref<256x512xf32>, memref<512x256xf32>)
                  outs(%Out : memref<256x256xf32>)
    linalg.generic {indexing_maps = [#map_bias, #map_2d],
                    iterator_types = ["parallel", "parallel"]}
        ins(%bias : memref<256xf32>) outs(%Out : memref<256x256xf32>) {
    ^bb0(%b: f32, %acc: f32):
      %sum = arith.addf %acc, %b : f32
      %relu = arith.maximumf %sum, %zero : f32
      linalg.yield %relu : f32
    }
    return
  }
}
