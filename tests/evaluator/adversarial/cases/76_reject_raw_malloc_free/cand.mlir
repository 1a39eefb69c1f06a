module {
  llvm.func @malloc(i64) -> !llvm.ptr
  llvm.func @free(!llvm.ptr)
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %bytes = llvm.mlir.constant(1536 : i64) : i64
    %p = llvm.call @malloc(%bytes) : (i64) -> !llvm.ptr
    %zero = llvm.mlir.constant(0.0 : f32) : f32
    llvm.store %zero, %p : f32, !llvm.ptr
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%C : memref<16x24xf32>)
    llvm.call @free(%p) : (!llvm.ptr) -> ()
    return
  }
}
