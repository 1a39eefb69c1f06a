// C += A @ B with odd sizes: M=127, K=63, N=255 (f32).
// C is the output (last argument); its initial contents are an input.
module {
  func.func @matmul(%A: memref<127x63xf32>, %B: memref<63x255xf32>,
                    %C: memref<127x255xf32>) {
    linalg.matmul ins(%A, %B : memref<127x63xf32>, memref<63x255xf32>)
                  outs(%C : memref<127x255xf32>)
    return
  }
}
