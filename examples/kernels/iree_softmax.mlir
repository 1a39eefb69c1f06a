// Row softmax as an IREE user writes it (IREE's samples and tests use linalg.softmax on tensors): a function
// that returns its result. NeuroJIT decomposes linalg.softmax into linalg.generic ops and bufferizes the
// function into the kernel convention when it reads it.
func.func @softmax(%logits: tensor<256x1024xf32>) -> tensor<256x1024xf32> {
  %0 = tensor.empty() : tensor<256x1024xf32>
  %1 = linalg.softmax dimension(1) ins(%logits : tensor<256x1024xf32>) outs(%0 : tensor<256x1024xf32>) -> tensor<256x1024xf32>
  return %1 : tensor<256x1024xf32>
}
