// Eight partial sums in an LLVM-dialect stack array (llvm.alloca of 8 floats, zeroed first), reached through
// llvm.getelementptr; each step also spills the running partial to element 8, one past the end of the array
// (a stack overrun that no memref check sees and that leaves the result right).
module {
  func.func @vsum(%x: memref<1024xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c1024 = arith.constant 1024 : index
    %n8 = llvm.mlir.constant(8 : i64) : i64
    %zero = arith.constant 0.0 : f32
    %acc = llvm.alloca %n8 x f32 : (i64) -> !llvm.ptr
    scf.for %k = %c0 to %c8 step %c1 {
      %k64 = arith.index_cast %k : index to i64
      %p = llvm.getelementptr %acc[%k64] : (!llvm.ptr, i64) -> !llvm.ptr, f32
      llvm.store %zero, %p : f32, !llvm.ptr
    }
    %spill = llvm.getelementptr %acc[8] : (!llvm.ptr) -> !llvm.ptr, f32
    scf.for %i = %c0 to %c1024 step %c1 {
      %a = memref.load %x[%i] : memref<1024xf32>
      %k = arith.remui %i, %c8 : index
      %k64 = arith.index_cast %k : index to i64
      %p = llvm.getelementptr %acc[%k64] : (!llvm.ptr, i64) -> !llvm.ptr, f32
      %s = llvm.load %p : !llvm.ptr -> f32
      %n = arith.addf %s, %a : f32
      llvm.store %n, %p : f32, !llvm.ptr
      llvm.store %n, %spill : f32, !llvm.ptr
    }
    %init = memref.load %out[%c0] : memref<1xf32>
    %r = scf.for %k = %c0 to %c8 step %c1 iter_args(%s = %init) -> (f32) {
      %k64 = arith.index_cast %k : index to i64
      %p = llvm.getelementptr %acc[%k64] : (!llvm.ptr, i64) -> !llvm.ptr, f32
      %v = llvm.load %p : !llvm.ptr -> f32
      %n = arith.addf %s, %v : f32
      scf.yield %n : f32
    }
    memref.store %r, %out[%c0] : memref<1xf32>
    return
  }
}
