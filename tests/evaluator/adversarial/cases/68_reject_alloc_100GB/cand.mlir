// 100 GB statically shaped heap allocation. One float per 4 KiB page is written and read back,
// and the (zero-weighted) sum is folded into C[0,0], so the allocation cannot be optimised away.
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %page = arith.constant 1024 : index
    %n = arith.constant 25000000000 : index
    %one = arith.constant 1.0 : f32
    %zero = arith.constant 0.0 : f32
    %big = memref.alloc() : memref<25000000000xf32>
    scf.for %i = %c0 to %n step %page {
      memref.store %one, %big[%i] : memref<25000000000xf32>
    }
    %sum = scf.for %i = %c0 to %n step %page iter_args(%s = %zero) -> (f32) {
      %v = memref.load %big[%i] : memref<25000000000xf32>
      %s2 = arith.addf %s, %v : f32
      scf.yield %s2 : f32
    }
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%C : memref<16x24xf32>)
    %z = arith.mulf %sum, %zero : f32
    %c = memref.load %C[%c0, %c0] : memref<16x24xf32>
    %c2 = arith.addf %c, %z : f32
    memref.store %c2, %C[%c0, %c0] : memref<16x24xf32>
    memref.dealloc %big : memref<25000000000xf32>
    return
  }
}
