// split-K, two halves of k each summed in bf16 (as the baseline does), the halves added in bf16.
func.func @mmbf(%a: memref<129x200xbf16>, %b: memref<200x257xbf16>, %c: memref<129x257xbf16>) {
  %z = arith.constant 0.000000e+00 : bf16
  %t = memref.alloc() : memref<129x257xbf16>
  linalg.fill ins(%z : bf16) outs(%t : memref<129x257xbf16>)
  %a0 = memref.subview %a[0, 0] [129, 100] [1, 1] : memref<129x200xbf16> to memref<129x100xbf16, strided<[200, 1]>>
  %a1 = memref.subview %a[0, 100] [129, 100] [1, 1] : memref<129x200xbf16> to memref<129x100xbf16, strided<[200, 1], offset: 100>>
  %b0 = memref.subview %b[0, 0] [100, 257] [1, 1] : memref<200x257xbf16> to memref<100x257xbf16, strided<[257, 1]>>
  %b1 = memref.subview %b[100, 0] [100, 257] [1, 1] : memref<200x257xbf16> to memref<100x257xbf16, strided<[257, 1], offset: 25700>>
  linalg.matmul ins(%a0, %b0 : memref<129x100xbf16, strided<[200, 1]>>, memref<100x257xbf16, strided<[257, 1]>>) outs(%c : memref<129x257xbf16>)
  linalg.matmul ins(%a1, %b1 : memref<129x100xbf16, strided<[200, 1], offset: 100>>, memref<100x257xbf16, strided<[257, 1], offset: 25700>>) outs(%t : memref<129x257xbf16>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%t : memref<129x257xbf16>) outs(%c : memref<129x257xbf16>) {
  ^bb0(%v: bf16, %o: bf16):
    %s = arith.addf %o, %v : bf16
    linalg.yield %s : bf16
  }
  memref.dealloc %t : memref<129x257xbf16>
  return
}
