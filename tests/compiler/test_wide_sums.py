"""f16 sums kept in f32 (compiler/wide_sums.py): the rewrite, its numbers, and the schedule attribute asking for it."""

from __future__ import annotations

import numpy as np
import pytest
from mlir import ir

from neurojit.compiler import ScheduleError, compile_kernel
from neurojit.compiler.kernel import parse_module, public_funcs
from neurojit.compiler.wide_sums import widen_sums

FILLED = """func.func @mm(%a: memref<45x300xf16>, %b: memref<300x29xf16>, %c: memref<45x29xf16>) {
  %z = arith.constant 0.000000e+00 : f16
  linalg.fill ins(%z : f16) outs(%c : memref<45x29xf16>)
  linalg.matmul ins(%a, %b : memref<45x300xf16>, memref<300x29xf16>) outs(%c : memref<45x29xf16>)
  return
}"""

# C += A B^T (no fill: C's values are the sums' start), B stored transposed
ACCUMULATED = """func.func @mm(%a: memref<8x300xf16>, %b: memref<29x300xf16>, %c: memref<8x29xf16>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
                                 affine_map<(m, n, k) -> (m, n)>]
     ins(%a, %b : memref<8x300xf16>, memref<29x300xf16>) outs(%c : memref<8x29xf16>)
  return
}"""

BATCHED = """func.func @bmm(%a: memref<3x7x64xf16>, %b: memref<3x64x5xf16>, %c: memref<3x7x5xf16>) {
  %z = arith.constant 0.000000e+00 : f16
  linalg.fill ins(%z : f16) outs(%c : memref<3x7x5xf16>)
  linalg.batch_matmul ins(%a, %b : memref<3x7x64xf16>, memref<3x64x5xf16>) outs(%c : memref<3x7x5xf16>)
  return
}"""

# a schedule that does nothing but ask for the f32 sums
ASK = """module attributes {transform.with_named_sequence, neurojit.accumulate = "%s"} {
transform.named_sequence @__transform_main(%%root: !transform.any_op {transform.consumed}) {
  transform.yield
}
}"""


def _ops(text: str) -> list[str]:
    with ir.Context(), ir.Location.unknown():
        module = parse_module(text)
        (func,) = public_funcs(module)
        n = widen_sums(func)
        assert module.operation.verify()
        top = [o.operation.name for o in func.regions[0].blocks[0].operations]
        return [n, *(name for name in top if name.startswith(("linalg.", "memref.")))]


def test_a_filled_f16_matmul_sums_into_an_f32_buffer_rounded_once():
    n, *ops = _ops(FILLED)
    assert n == 1
    # the fill now fills the f32 buffer (the output is written whole by the rounding)
    assert ops == ["memref.alloc", "linalg.fill", "linalg.matmul", "linalg.generic", "memref.dealloc"]


def test_an_accumulating_f16_matmul_starts_its_f32_sums_from_the_output():
    n, *ops = _ops(ACCUMULATED)
    assert n == 1 and ops == ["memref.alloc", "linalg.generic", "linalg.matmul", "linalg.generic", "memref.dealloc"]


def test_what_is_not_an_f16_sum_is_left_alone():
    f32 = FILLED.replace("f16", "f32")
    mixed = FILLED.replace("memref<45x29xf16>", "memref<45x29xf32>").replace("0.000000e+00 : f16", "0.000000e+00 : f32").replace(
        "ins(%z : f16)", "ins(%z : f32)")  # f16 operands summed into an f32 output: already in f32
    for text in (f32, mixed):
        assert _ops(text)[0] == 0


def _ulps(got, exact):
    return np.abs(got.astype(np.float64) - exact) / np.spacing(np.abs(exact).astype(np.float16)).astype(np.float64)


@pytest.mark.parametrize("text", [FILLED, ACCUMULATED, BATCHED], ids=["filled", "accumulated", "batched"])
def test_f16_sums_in_f32_round_once_where_the_naive_sums_round_every_term(text):
    naive, wide = compile_kernel(text), compile_kernel(text, ASK % "f32")
    rng = np.random.default_rng(7)
    args = [rng.standard_normal(a.shape).astype(np.float16) for a in naive.signature.args]
    a, b, c = args
    if text is ACCUMULATED:
        exact = c.astype(np.float64) + a.astype(np.float64) @ b.astype(np.float64).T
    else:
        exact = a.astype(np.float64) @ b.astype(np.float64)
    got_naive, got_wide = c.copy(), c.copy()
    naive(a, b, got_naive)
    wide(a, b, got_wide)
    # f32 sums of exact f16 products, rounded once: the nearest f16 to the exact sum nearly everywhere
    assert _ulps(got_wide, exact).max() <= 1 and (got_wide == exact.astype(np.float16)).mean() > 0.98
    assert np.median(_ulps(got_naive, exact)) > 2 * np.median(_ulps(got_wide, exact))


def test_the_attribute_takes_f32_only():
    with pytest.raises(ScheduleError, match='neurojit.accumulate must be "f32"'):
        compile_kernel(FILLED, ASK % "f64")
