"""f16 and bf16 kernels (DESIGN §2's "later"): the library's schedules take them, numpy's answer on odd sizes.

An f16 math op marked for approximation is computed by the f32 polynomial and rounded once (compiler/approx.py),
so a vectorised GELU calls no libm; an f16 x f16 -> f32 matmul gets the packed micro-kernel; an f16 softmax the
row-wise fused schedule. The evaluator's side (an f16 kernel's exact twin in f64) is in the adversarial corpus
(371-374)."""

from __future__ import annotations

import pathlib
import re

import ml_dtypes
import numpy as np
import pytest

from neurojit.agent.analyze import analyze
from neurojit.agent.schedules import for_kernel
from neurojit.compiler import compile_kernel, host
from neurojit.compiler.build import lower_kernel
from neurojit.compiler.kernel import parse_module, signature_of
from neurojit.evaluator import EvalConfig, Evaluator
from mlir import ir

BF = ml_dtypes.bfloat16

GELU = """func.func @gelu(%x: memref<37x100xf16>, %b: memref<100xf16>, %o: memref<37x100xf16>) {
  %half = arith.constant 5.000000e-01 : f16
  %one = arith.constant 1.000000e+00 : f16
  %c0 = arith.constant 7.978510e-01 : f16
  %c1 = arith.constant 4.471500e-02 : f16
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : memref<37x100xf16>, memref<100xf16>) outs(%o : memref<37x100xf16>) {
  ^bb0(%a: f16, %bb: f16, %out: f16):
    %v = arith.addf %a, %bb : f16
    %v2 = arith.mulf %v, %v : f16
    %v3 = arith.mulf %v2, %v : f16
    %t = arith.mulf %v3, %c1 : f16
    %u = arith.addf %v, %t : f16
    %w = arith.mulf %u, %c0 : f16
    %th = math.tanh %w : f16
    %p = arith.addf %th, %one : f16
    %q = arith.mulf %v, %half : f16
    %r = arith.mulf %q, %p : f16
    linalg.yield %r : f16
  }
  return
}"""

MATMUL = """func.func @mm(%a: memref<45x300xf16>, %b: memref<300x29xf16>, %c: memref<45x29xf32>) {
  %z = arith.constant 0.000000e+00 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<45x29xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>,
                                   affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<45x300xf16>, memref<300x29xf16>) outs(%c : memref<45x29xf32>) {
  ^bb0(%x: f16, %y: f16, %acc: f32):
    %xe = arith.extf %x : f16 to f32
    %ye = arith.extf %y : f16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}"""

SOFTMAX = """func.func @softmax(%x: tensor<37x203xf16>) -> tensor<37x203xf16> {
  %0 = tensor.empty() : tensor<37x203xf16>
  %1 = linalg.softmax dimension(1) ins(%x : tensor<37x203xf16>) outs(%0 : tensor<37x203xf16>) -> tensor<37x203xf16>
  return %1 : tensor<37x203xf16>
}"""


def _ulps(got: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """|got - exact| in f16 ulps of the exact value."""
    return np.abs(got.astype(np.float64) - exact) / np.spacing(np.abs(exact).astype(np.float16)).astype(np.float64)


def test_f16_arguments_are_taken_with_their_numpy_dtype():
    with ir.Context():
        sig = signature_of(parse_module(GELU))
    assert [a.dtype for a in sig.args] == ["float16"] * 3
    assert sig.args[0].mlir_type == "memref<37x100xf16>"


def test_an_f16_gelu_is_vectorised_without_libm_and_gives_numpys_answer():
    info, h = analyze(GELU), host()
    schedules = for_kernel(info, h)
    assert schedules, "no schedule for an f16 elementwise kernel"
    s = schedules[0]
    llvm = str(lower_kernel(GELU, s.text(info, h), s.defaults(info, h)).module)
    assert "vector<" in llvm and not re.search(r"llvm\.call @tanh", llvm)  # the f32 polynomial, rounded once
    k = compile_kernel(GELU, s.text(info, h), s.defaults(info, h))
    rng = np.random.default_rng(3)
    x, b = (rng.standard_normal(shape).astype(np.float16) * 2 for shape in ((37, 100), (100,)))
    out = np.full((37, 100), np.nan, np.float16)
    k(x, b, out)
    # numpy's f16 arithmetic rounds each op to f16 as the kernel does (its tanh: f32's, rounded to f16); the
    # schedule's tanh is the f32 polynomial (a few f32 ulps), rounded once: the same f16 value nearly everywhere
    f = np.float16
    v = x + b
    w = (v + v * v * v * f(0.044715)) * f(0.797851)
    want = v * f(0.5) * (np.tanh(w) + f(1))
    same = out == want
    assert same.mean() > 0.99, same.mean()
    # elsewhere one f16 ulp of tanh, carried through 1 + tanh(w) and the product with v / 2
    np.testing.assert_allclose(out[~same], want[~same], rtol=0, atol=float(np.abs(v).max()) * 2.0 ** -11)


def test_an_f16_matmul_summing_in_f32_gets_the_packed_micro_kernel():
    info, h = analyze(MATMUL), host()
    s = next(s for s in for_kernel(info, h) if s.name == "packed_matmul")
    k = compile_kernel(MATMUL, s.text(info, h), s.defaults(info, h))
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((45, 300)).astype(np.float16), rng.standard_normal((300, 29)).astype(np.float16)
    c = np.full((45, 29), np.nan, np.float32)
    k(a, b, c)
    np.testing.assert_allclose(c, a.astype(np.float64) @ b.astype(np.float64), rtol=2e-5, atol=2e-5)


def test_an_f16_softmax_gets_the_row_wise_schedule():
    info, h = analyze(SOFTMAX), host()
    s = next(s for s in for_kernel(info, h) if s.name == "rowwise_fused")
    k = compile_kernel(SOFTMAX, s.text(info, h), s.defaults(info, h))
    x = (np.random.default_rng(5).standard_normal((37, 203)) * 4).astype(np.float16)
    out = k(x)
    e = np.exp(x.astype(np.float64) - x.max(axis=1, keepdims=True))
    exact = e / e.sum(axis=1, keepdims=True)
    naive = compile_kernel(SOFTMAX)(x)  # its sums of 203 terms are f16's too: the bound is the naive lowering's
    err, base = _ulps(out, exact), _ulps(naive, exact)
    assert np.median(err) <= 1 and err.max() <= 2 * base.max() + 1, (np.median(err), err.max(), base.max())


HALF_MATMUL = """func.func @mm(%a: memref<45x300xf16>, %b: memref<300x29xf16>, %c: memref<45x29xf16>) {
  %z = arith.constant 0.000000e+00 : f16
  linalg.fill ins(%z : f16) outs(%c : memref<45x29xf16>)
  linalg.matmul ins(%a, %b : memref<45x300xf16>, memref<300x29xf16>) outs(%c : memref<45x29xf16>)
  return
}"""


def test_an_f16_matmul_into_f16_is_packed_with_its_sums_in_f32():
    """torch-mlir's f16 linear layer: f16 operands into an f16 output. Its structured schedules ask for f32 sums
    (compiler/wide_sums.py), so the packed micro-kernel takes it as it takes an f32 one."""
    info, h = analyze(HALF_MATMUL), host()
    assert info.sums_widened == 1
    s = next(s for s in for_kernel(info, h) if s.name == "packed_matmul")
    text = s.text(info, h)
    assert 'neurojit.accumulate = "f32"' in text
    k = compile_kernel(HALF_MATMUL, text, s.defaults(info, h))
    rng = np.random.default_rng(8)
    a, b = rng.standard_normal((45, 300)).astype(np.float16), rng.standard_normal((300, 29)).astype(np.float16)
    c = np.full((45, 29), np.nan, np.float16)
    k(a, b, c)
    assert _ulps(c, a.astype(np.float64) @ b.astype(np.float64)).max() <= 1


@pytest.mark.slow
def test_the_evaluator_accepts_an_f16_matmul_summed_in_f32():
    info, h = analyze(HALF_MATMUL), host()
    s = next(s for s in for_kernel(info, h) if s.name == "packed_matmul")
    with Evaluator(EvalConfig(bench=False, workers=1)) as ev:
        v = ev.evaluate(HALF_MATMUL, s.text(info, h), s.defaults(info, h))
    assert v.verdict == "accept", f"{v.reason.value}: {v.detail}"


CASES = pathlib.Path(__file__).parents[1] / "evaluator" / "adversarial" / "cases"


def test_a_bf16_rmsnorm_gets_the_row_wise_schedule():
    """torch-mlir's bf16 RMSNorm (its sums in f32, its result rounded to bf16): numpy's answer on odd sizes too."""
    text = (CASES / "377_accept_bf16_rmsnorm_two_partial_sums" / "base.mlir").read_text().replace("2048", "2047")
    info, h = analyze(text), host()
    s = next(s for s in for_kernel(info, h) if s.name == "rowwise_fused")
    k = compile_kernel(text, s.text(info, h), s.defaults(info, h))
    rng = np.random.default_rng(9)
    x, g = rng.standard_normal((32, 2047)).astype(BF), rng.standard_normal(2047).astype(BF)
    out = k(x, g).astype(np.float64)
    xf = x.astype(np.float64)
    exact = xf / np.sqrt((xf * xf).sum(axis=1, keepdims=True) / 2048.0 + 1e-6) * g.astype(np.float64)
    # one rounding to bf16 (8 significant bits) of a value whose sums were f32's
    np.testing.assert_allclose(out, exact, rtol=2.0 ** -8, atol=0)


def test_a_bf16_matmul_into_bf16_is_packed_with_its_sums_in_f32():
    text = (CASES / "378_accept_bf16_matmul_summed_in_f32" / "base.mlir").read_text()
    info, h = analyze(text), host()
    s = next(s for s in for_kernel(info, h) if s.name == "packed_matmul")
    assert 'neurojit.accumulate = "f32"' in s.text(info, h)
    k = compile_kernel(text, s.text(info, h), s.defaults(info, h))
    rng = np.random.default_rng(10)
    a, b, c = (rng.standard_normal(shape).astype(BF) for shape in ((129, 200), (200, 257), (129, 257)))
    want = c.astype(np.float64) + a.astype(np.float64) @ b.astype(np.float64)
    k(a, b, c)
    np.testing.assert_allclose(c.astype(np.float64), want, rtol=2.0 ** -8, atol=1e-6)


def test_every_schedule_offered_for_a_bf16_c_plus_ab_applies():
    """A C += A B on bf16 (no fill), its sums widened: C extended into an f32 buffer, the matmul, the buffer
    rounded into C. The fused-epilogue schedule took the rounding for an epilogue and failed to apply ("2
    payloads"): a schedule_error on every such proposal of the eleventh red team's tunes."""
    text = (CASES / "378_accept_bf16_matmul_summed_in_f32" / "base.mlir").read_text()
    info, h = analyze(text), host()
    assert info.sums_widened == 1
    names = []
    for s in for_kernel(info, h):
        k = compile_kernel(text, s.text(info, h), s.defaults(info, h))
        rng = np.random.default_rng(11)
        a, b, c = (rng.standard_normal(shape).astype(BF) for shape in ((129, 200), (200, 257), (129, 257)))
        want = c.astype(np.float64) + a.astype(np.float64) @ b.astype(np.float64)
        k(a, b, c)
        np.testing.assert_allclose(c.astype(np.float64), want, rtol=2.0 ** -7, atol=1e-6, err_msg=s.name)
        names.append(s.name)
    assert "packed_matmul" in names
