// Reads a scratch size from a constant table (25e9 floats = 100 GB) and allocates it, writes to it and frees
// it, only when A[0,0] == 12345.5, which no input set produces: no run ever asks the allocator for it.
module {
  memref.global "private" constant @sizes : memref<2xindex> = dense<[16, 25000000000]>
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %magic = arith.constant 12345.5 : f32
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%C : memref<16x24xf32>)
    %a = memref.load %A[%c0, %c0] : memref<16x20xf32>
    %odd = arith.cmpf oeq, %a, %magic : f32
    scf.if %odd {
      %g = memref.get_global @sizes : memref<2xindex>
      %n = memref.load %g[%c1] : memref<2xindex>
      %big = memref.alloc(%n) : memref<?xf32>
      memref.store %a, %big[%c0] : memref<?xf32>
      %v = memref.load %big[%c0] : memref<?xf32>
      memref.store %v, %C[%c0, %c0] : memref<16x24xf32>
      memref.dealloc %big : memref<?xf32>
    }
    return
  }
}
