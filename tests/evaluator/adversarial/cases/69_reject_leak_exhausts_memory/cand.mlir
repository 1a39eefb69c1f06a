// Leaks 64 x 256 MiB = 16 GiB per call; every page is touched and read back so nothing is optimised away.
module {
  func.func @matmul(%A: memref<16x20xf32>, %B: memref<20x24xf32>, %C: memref<16x24xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %c8192 = arith.constant 8192 : index
    %pagecols = arith.constant 1024 : index
    %one = arith.constant 1.0 : f32
    %zero = arith.constant 0.0 : f32
    %total = scf.for %it = %c0 to %c64 step %c1 iter_args(%t = %zero) -> (f32) {
      %buf = memref.alloc() : memref<8192x8192xf32>
      scf.for %r = %c0 to %c8192 step %c1 {
        scf.for %c = %c0 to %c8192 step %pagecols {
          memref.store %one, %buf[%r, %c] : memref<8192x8192xf32>
        }
      }
      %v = memref.load %buf[%it, %c0] : memref<8192x8192xf32>
      %t2 = arith.addf %t, %v : f32
      scf.yield %t2 : f32
    }
    linalg.matmul ins(%A, %B : memref<16x20xf32>, memref<20x24xf32>) outs(%C : memref<16x24xf32>)
    %z = arith.mulf %total, %zero : f32
    %c = memref.load %C[%c0, %c0] : memref<16x24xf32>
    %c2 = arith.addf %c, %z : f32
    memref.store %c2, %C[%c0, %c0] : memref<16x24xf32>
    return
  }
}
