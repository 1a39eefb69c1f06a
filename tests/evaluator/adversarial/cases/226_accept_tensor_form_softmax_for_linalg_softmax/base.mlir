// IREE-style softmax on tensors, 13x37, returning its result.
func.func @softmax(%logits: tensor<13x37xf32>) -> tensor<13x37xf32> {
  %0 = tensor.empty() : tensor<13x37xf32>
  %1 = linalg.softmax dimension(1) ins(%logits : tensor<13x37xf32>) outs(%0 : tensor<13x37xf32>) -> tensor<13x37xf32>
  return %1 : tensor<13x37xf32>
}
