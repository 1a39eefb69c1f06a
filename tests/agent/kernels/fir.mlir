// out[i] += sum_k in[i + k] * w[k]
module {
  func.func @fir(%in: memref<113xf32>, %w: memref<7xf32>, %out: memref<107xf32>) {
    linalg.conv_1d ins(%in, %w : memref<113xf32>, memref<7xf32>) outs(%out : memref<107xf32>)
    return
  }
}
