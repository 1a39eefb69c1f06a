// The scratch buffer is allocated inside an scf.if (in both branches) and handed out as its result; the result is
// freed only when A[0,0] != 12345.5, which every input set meets: a leak on a path no tried input takes.
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %magic = arith.constant 12345.5 : f32
    %a = memref.load %A[%c0, %c0] : memref<16x20xf32>
    %ordinary = arith.cmpf une, %a, %magic : f32
    %tmp = scf.if %ordinary -> (memref<16x24xf32>) {
      %t = memref.alloc() : memref<16x24xf32>
      scf.yield %t : memref<16x24xf32>
    } else {
      %t = memref.alloc() : memref<16x24xf32>
      scf.yield %t : memref<16x24xf32>
    }
    memref.copy %C, %tmp : memref<16x24xf32> to memref<16x24xf32>
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%tmp : memref<16x24xf32>)
    memref.copy %tmp, %C : memref<16x24xf32> to memref<16x24xf32>
    scf.if %ordinary {
      memref.dealloc %tmp : memref<16x24xf32>
    }
    return
  }
}
