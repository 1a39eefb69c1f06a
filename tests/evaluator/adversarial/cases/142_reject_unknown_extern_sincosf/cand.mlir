#id = affine_map<(d0) -> (d0)>
module {
  llvm.func @sincosf(f32, !llvm.ptr, !llvm.ptr)
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %one = llvm.mlir.constant(1 : i64) : i64
    %p = llvm.alloca %one x f32 : (i64) -> !llvm.ptr
    %z = arith.constant 0.0 : f32
    llvm.call @sincosf(%z, %p, %p) : (f32, !llvm.ptr, !llvm.ptr) -> ()
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
