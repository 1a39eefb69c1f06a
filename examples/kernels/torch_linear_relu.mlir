// torch.nn.Sequential(nn.Linear(512, 256), nn.ReLU()) on a batch of 64, as torch-mlir lowers it to linalg on
// tensors (torch_mlir.fx.export_and_import(model, x, output_type="linalg-on-tensors")), with the weights
// passed as arguments instead of inlined constants. A function on tensors that returns its result: NeuroJIT
// bufferizes it into the kernel convention when it reads it (the result becomes an output argument).
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @main(%input: tensor<64x512xf32>, %weight: tensor<256x512xf32>, %bias: tensor<256xf32>) -> tensor<64x256xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<512x256xf32>
    %transposed = linalg.transpose ins(%weight : tensor<256x512xf32>) outs(%0 : tensor<512x256xf32>) permutation = [1, 0]
    %1 = tensor.empty() : tensor<64x256xf32>
    %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<64x256xf32>) -> tensor<64x256xf32>
    %3 = linalg.matmul ins(%input, %transposed : tensor<64x512xf32>, tensor<512x256xf32>) outs(%2 : tensor<64x256xf32>) -> tensor<64x256xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%3, %bias : tensor<64x256xf32>, tensor<256xf32>) outs(%1 : tensor<64x256xf32>) {
    ^bb0(%in: f32, %in_0: f32, %out: f32):
      %6 = arith.addf %in, %in_0 : f32
      linalg.yield %6 : f32
    } -> tensor<64x256xf32>
    %5 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%4 : tensor<64x256xf32>) outs(%1 : tensor<64x256xf32>) {
    ^bb0(%in: f32, %out: f32):
      %6 = arith.cmpf ugt, %in, %cst : f32
      %7 = arith.select %6, %in, %cst : f32
      linalg.yield %7 : f32
    } -> tensor<64x256xf32>
    return %5 : tensor<64x256xf32>
  }
}
