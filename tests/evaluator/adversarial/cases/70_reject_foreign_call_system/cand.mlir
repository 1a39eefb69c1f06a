module {
  llvm.mlir.global internal constant @cmd("true\00") {addr_space = 0 : i32}
  func.func private @system(!llvm.ptr) -> i32
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %p = llvm.mlir.addressof @cmd : !llvm.ptr
    %rc = func.call @system(%p) : (!llvm.ptr) -> i32
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%C : memref<16x24xf32>)
    return
  }
}
