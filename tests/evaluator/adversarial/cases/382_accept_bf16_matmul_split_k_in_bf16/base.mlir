// C += A B on bf16 operands into a bf16 output (named linalg.matmul: every partial sum rounded to bf16), 129x257x200.
func.func @mmbf(%a: memref<129x200xbf16>, %b: memref<200x257xbf16>, %c: memref<129x257xbf16>) {
  linalg.matmul ins(%a, %b : memref<129x200xbf16>, memref<200x257xbf16>) outs(%c : memref<129x257xbf16>)
  return
}
