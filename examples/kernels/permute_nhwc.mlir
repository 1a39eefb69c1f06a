// torch's x.permute(0, 2, 3, 1).contiguous(): NCHW activations to NHWC, as torch-mlir emits it (linalg.transpose on
// tensors; the result becomes an output argument when NeuroJIT reads it). A transpose reads its input along one
// loop and writes its output along another: whole vectors of both only in tiles that span both loops.
module {
  func.func @nchw_to_nhwc(%x: tensor<8x64x56x56xf32>) -> tensor<8x56x56x64xf32> {
    %e = tensor.empty() : tensor<8x56x56x64xf32>
    %t = linalg.transpose ins(%x : tensor<8x64x56x56xf32>) outs(%e : tensor<8x56x56x64xf32>) permutation = [0, 2, 3, 1]
    return %t : tensor<8x56x56x64xf32>
  }
}
