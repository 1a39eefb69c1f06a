// Attention's second matmul: O(32x32) = P(32x64) * V(64x32), O overwritten.
module {
  func.func @pv(%P: memref<32x64xf32>, %V: memref<64x32xf32>, %O: memref<32x32xf32>) {
    %z = arith.constant 0.0 : f32
    linalg.fill ins(%z : f32) outs(%O : memref<32x32xf32>)
    linalg.matmul ins(%P, %V : memref<32x64xf32>, memref<64x32xf32>) outs(%O : memref<32x32xf32>)
    return
  }
}
