// C += A @ B for 1024x1024 f32 matrices (linalg.matmul accumulates into C).
// C is the output (last argument); its initial contents are an input.
module {
  func.func @matmul(%A: memref<1024x1024xf32>, %B: memref<1024x1024xf32>,
                    %C: memref<1024x1024xf32>) {
    linalg.matmul ins(%A, %B : memref<1024x1024xf32>, memref<1024x1024xf32>)
                  outs(%C : memref<1024x1024xf32>)
    return
  }
}
