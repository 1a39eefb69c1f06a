// C += A @ B for 256x256 f32 matrices (linalg.matmul accumulates into C).
// C is the output (last argument); its initial contents are an input.
module {
  func.func @matmul(%A: memref<256x256xf32>, %B: memref<256x256xf32>,
                    %C: memref<256x256xf32>) {
    linalg.matmul ins(%A, %B : memref<256x256xf32>, memref<256x256xf32>)
                  outs(%C : memref<256x256xf32>)
    return
  }
}
