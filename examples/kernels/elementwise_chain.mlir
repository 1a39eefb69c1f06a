// out = relu(x * y + x) * 0.5, fused into a single linalg.generic (f32).
// out is write-only here: its initial contents are ignored.
#id = affine_map<(i, j) -> (i, j)>
module {
  func.func @elementwise(%x: memref<1024x1024xf32>, %y: memref<1024x1024xf32>,
                         %out: memref<1024x1024xf32>) {
    %zero = arith.constant 0.0 : f32
    %half = arith.constant 0.5 : f32
    linalg.generic {indexing_maps = [#id, #id, #id],
                    iterator_types = ["parallel", "parallel"]}
        ins(%x, %y : memref<1024x1024xf32>, memref<1024x1024xf32>)
        outs(%out : memref<1024x1024xf32>) {
    ^bb0(%a: f32, %b: f32, %unused: f32):
      %mul = arith.mulf %a, %b : f32
      %add = arith.addf %mul, %a : f32
      %relu = arith.maximumf %add, %zero : f32
      %res = arith.mulf %relu, %half : f32
      linalg.yield %res : f32
    }
    return
  }
}
