#id = affine_map<(d0) -> (d0)>
module {
  llvm.mlir.global internal constant @name("HOME\00") {addr_space = 0 : i32}
  llvm.func @getenv(!llvm.ptr) -> !llvm.ptr
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %p = llvm.mlir.addressof @name : !llvm.ptr
    %env = llvm.call @getenv(%p) : (!llvm.ptr) -> !llvm.ptr
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%x, %y : memref<1000xf32>, memref<1000xf32>) outs(%out : memref<1000xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}
