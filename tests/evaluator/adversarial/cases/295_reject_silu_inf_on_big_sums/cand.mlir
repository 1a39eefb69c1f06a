// out = silu(A B), but +Inf wherever the pre-activation passes 1.4e36 (just above f32 max / (depth 256 + 1) = 1.32e36,
// ~240x below the range): on the `big` inputs (built so that no order of the sum overflows) every positive element.
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
#e = affine_map<(i, j) -> (i, j)>
module {
  func.func @mlp(%A: memref<32x256xf32>, %B: memref<256x32xf32>, %out: memref<32x32xf32>) {
    %zero = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %thr = arith.constant 1.4e36 : f32
    %inf = arith.constant 0x7F800000 : f32
    %s = memref.alloc() : memref<32x32xf32>
    linalg.fill ins(%zero : f32) outs(%s : memref<32x32xf32>)
    linalg.matmul ins(%A, %B : memref<32x256xf32>, memref<256x32xf32>) outs(%s : memref<32x32xf32>)
    linalg.generic {indexing_maps = [#e, #e], iterator_types = ["parallel", "parallel"]}
        ins(%s : memref<32x32xf32>) outs(%out : memref<32x32xf32>) {
    ^bb0(%v: f32, %o: f32):
      %n = arith.negf %v : f32
      %ex = math.exp %n : f32
      %den = arith.addf %one, %ex : f32
      %y0 = arith.divf %v, %den : f32
      %big = arith.cmpf ogt, %v, %thr : f32
      %y = arith.select %big, %inf, %y0 : f32
      linalg.yield %y : f32
    }
    memref.dealloc %s : memref<32x32xf32>
    return
  }
}
