"""Memory a kernel call gets is zeroed in every build that runs (compiler/fresh_memory.py): a read of memory the call
did not write finds zeros, not what an earlier call left there."""

import numpy as np
import pytest

from neurojit.compiler import compile_kernel

# writes NaN into a scratch buffer of 4096 floats and frees it: the block (or stack slot) the next call gets
DIRTY = """func.func @dirty(%x: memref<4096xf32>, %out: memref<4096xf32>) {
  %nan = arith.constant 0x7FC00000 : f32
  %s = memref.SCRATCH() : memref<4096xf32>
  linalg.fill ins(%nan : f32) outs(%s : memref<4096xf32>)
  linalg.add ins(%s, %x : memref<4096xf32>, memref<4096xf32>) outs(%out : memref<4096xf32>)
  FREE
  return
}"""

# adds a scratch buffer it never wrote to x: reads memory the call did not write
READS = """func.func @reads(%x: memref<4096xf32>, %out: memref<4096xf32>) {
  %s = memref.SCRATCH() : memref<4096xf32>
  linalg.add ins(%s, %x : memref<4096xf32>, memref<4096xf32>) outs(%out : memref<4096xf32>)
  FREE
  return
}"""


@pytest.mark.parametrize("alloc", ["alloc", "alloca"])
def test_a_scratch_buffer_read_before_it_is_written_holds_zeros_after_a_call_that_left_nan_there(alloc):
    dealloc = "memref.dealloc %s : memref<4096xf32>" if alloc == "alloc" else ""
    dirty = compile_kernel(DIRTY.replace("SCRATCH", alloc).replace("FREE", dealloc), cache=False)
    reads = compile_kernel(READS.replace("SCRATCH", alloc).replace("FREE", dealloc), cache=False)
    x = np.random.default_rng(0).standard_normal(4096).astype(np.float32)
    out = np.empty(4096, np.float32)
    for _ in range(3):
        dirty(x, out)
        assert np.isnan(out).all()
        reads(x, out)  # (the block glibc hands back, the stack slot at the same depth: NaN, unzeroed)
        np.testing.assert_array_equal(out, np.float32(0) + x)


def test_the_lowered_module_zeroes_each_block_and_slot_and_the_checked_build_does_not():
    from mlir import ir

    from neurojit.compiler.build import lower_kernel
    from neurojit.compiler.pipeline import lowering

    text = READS.replace("SCRATCH", "alloc").replace("FREE", "memref.dealloc %s : memref<4096xf32>")
    normal = str(lower_kernel(text).module)
    assert normal.count('"llvm.intr.memset"') + normal.count("llvm.intr.memset") >= 1
    checked = str(lower_kernel(text, pipeline=lowering(runtime_checks=True, generic_alloc=True),
                               context=ir.Context()).module)
    assert "llvm.intr.memset" not in checked  # (the evaluator poisons these blocks instead: evaluator/poison.py)
