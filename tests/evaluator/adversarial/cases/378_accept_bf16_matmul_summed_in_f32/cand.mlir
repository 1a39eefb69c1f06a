// C += A B on bf16, summed in an f32 buffer and rounded to bf16 once.
func.func @mmbf(%a: memref<129x200xbf16>, %b: memref<200x257xbf16>, %c: memref<129x257xbf16>) {
  %t = memref.alloc() : memref<129x257xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<129x257xbf16>) outs(%t : memref<129x257xf32>) {
  ^bb0(%v: bf16, %o: f32):
    %w = arith.extf %v : bf16 to f32
    linalg.yield %w : f32
  }
  linalg.matmul ins(%a, %b : memref<129x200xbf16>, memref<200x257xbf16>) outs(%t : memref<129x257xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%t : memref<129x257xf32>) outs(%c : memref<129x257xbf16>) {
  ^bb0(%v: f32, %o: bf16):
    %w = arith.truncf %v : f32 to bf16
    linalg.yield %w : bf16
  }
  memref.dealloc %t : memref<129x257xf32>
  return
}
