"""Rounding noise (noise.py, twins.noise_twin): the kernel with random rounding, and how it widens rule 1."""

import numpy as np
import pytest

from neurojit.evaluator.compare import NOISE_TIMES, compare, tolerance
from neurojit.evaluator.noise import Noise
from neurojit.evaluator.twins import exact_twin, noise_twin

PRODUCT = """func.func @k(%a: memref<4096xf32>, %b: memref<4096xf32>, %o: memref<4096xf32>) {
  linalg.mul ins(%a, %b : memref<4096xf32>, memref<4096xf32>) outs(%o : memref<4096xf32>)
  return
}"""


def _build(text: str):
    """A twin's text compiled as the reference process compiles it (f64 and f80 arguments allowed)."""
    from mlir import ir

    from neurojit.compiler.build import Parsed, lower_parsed
    from neurojit.compiler.jit import CompiledKernel
    from neurojit.compiler.kernel import TWIN_DTYPES, parse_module, signature_of
    from neurojit.compiler.pipeline import LOWER

    with ir.Context() as ctx, ir.Location.unknown():
        module = parse_module(text, "<twin>", ctx)
        sig = signature_of(module, "<twin>", text, dtypes=TWIN_DTYPES)
        return CompiledKernel(lower_parsed(Parsed(module, sig, str(module), "<twin>")), opt_level=3)


def test_the_noise_twin_rounds_each_result_to_the_kernels_type_up_or_down_at_random():
    """a * b in f32: the noise twin gives one of the two f32 neighbours of the exact product, each about half
    the time, the next call of the same build other coins; an exact product (by 1 or 2) stays exact."""
    wide = exact_twin(PRODUCT, {"float32"})[0]
    twin = _build(noise_twin(wide, "f32"))
    runs = [twin, twin]
    rng = np.random.default_rng(0)
    a = rng.uniform(-2, 2, 4096)
    b = rng.uniform(-2, 2, 4096)
    b[:64] = 2.0  # exact in f32
    a, b = a.astype(np.float32).astype(np.float64), b.astype(np.float32).astype(np.float64)
    exact = a * b  # (24-bit significands: exact in f64)
    down = exact.astype(np.float32).astype(np.float64)
    down = np.where(down > exact, np.nextafter(down.astype(np.float32), -np.inf).astype(np.float64), down)
    up = np.nextafter(down.astype(np.float32), np.inf).astype(np.float64)
    got = []
    for run in runs:
        out = np.zeros(4096)
        run(a.copy(), b.copy(), out)
        inexact = exact != down
        assert np.all((out == down) | (out == up)), "not a neighbour in f32"
        assert np.array_equal(out[~inexact], exact[~inexact]) and not inexact[:64].any()
        share = float(np.mean(out[inexact] == up[inexact]))
        assert 0.4 < share < 0.6, share
        got.append(out)
    assert not np.array_equal(got[0], got[1])


def test_the_noise_twin_leaves_exact_ops_alone():
    text = PRODUCT.replace("linalg.mul", "linalg.max")
    assert noise_twin(exact_twin(text, {"float32"})[0], "f32", 1) is None  # nothing to round


def test_rule_1_bound_is_at_least_noise_times_the_elements_noise():
    rtol = tolerance("float32", 0, 32.0)
    exact = np.ones(8)
    baseline = exact.astype(np.float32)
    got = baseline.copy()
    got[3] += 20 * rtol  # 10x past the bound 2 rtol (rtol |x| + rtol max|x|) at one element
    assert compare(got, baseline, rtol, exact).problem == "wrong"
    noise = np.zeros(8)
    noise[3] = 6 * rtol  # what random rounding made of the element: NOISE_TIMES x 6 rtol bounds it
    assert NOISE_TIMES * noise[3] > 20 * rtol
    assert compare(got, baseline, rtol, exact, noise=noise).problem is None
    noise[3], noise[4] = 0.0, 6 * rtol  # another element's noise widens nothing here
    assert compare(got, baseline, rtol, exact, noise=noise).problem == "wrong"


@pytest.mark.parametrize("call_s, on", [(0.001, True), (0.5, False)])
def test_noise_runs_only_for_a_cheap_baseline(call_s, on):
    noise = Noise(exact_twin(PRODUCT, {"float32"})[0], "f32")
    noise.decide(lambda text, origin: _build(text), call_s)
    assert noise.on == on
    assert ("baseline call takes" in noise.why) != on


def test_noise_runs_only_on_pairs_where_the_baseline_used_a_share_of_its_tolerance():
    """A kernel that does not amplify rounding leaves its baseline far under its tolerance: no runs there (a
    matmul's would cost eight slow twin calls a pair for nothing); where the baseline came near it, they run."""
    noise = Noise(exact_twin(PRODUCT, {"float32"})[0], "f32")
    noise.decide(lambda text, origin: _build(text), 0.001)
    rng = np.random.default_rng(1)
    a, b = rng.uniform(-2, 2, 4096), rng.uniform(-2, 2, 4096)
    exact = a * b
    initial = [a, b, np.zeros(4096)]
    rtol, atol = tolerance("float32", 0, 32.0), 0.0
    calm = exact.astype(np.float32)  # rounded once: far under 32 eps
    assert noise.run(initial, [exact], [2], [calm], [rtol], atol) is None
    near = calm.copy()
    near[7] = exact[7] + rtol * np.abs(exact).max()  # at least half its tolerance at one element
    found = noise.run(initial, [exact], [2], [near], [rtol], atol)
    assert found is not None and 0 < found[0].max() <= np.finfo(np.float32).eps * np.abs(exact).max()


def _scalar(constant: str, op: str, ty: str = "f64") -> str:
    return (f"func.func @k(%a: {ty}) -> {ty} {{\n %c = arith.constant {constant} : {ty}\n"
            f" %r = arith.{op} %a, %c : {ty}\n return %r : {ty}\n}}")


@pytest.mark.parametrize("constant, op, ty, purpose", [
    ("1.2582912e+07", "addf", "f32", True),  # 1.5 2^23: (x + c) - c rounds x to an integer
    ("6755399441055744.0", "subf", "f64", True),  # 1.5 2^52
    ("134217729.0", "mulf", "f64", True),  # 2^27 + 1: Veltkamp's split
    ("4097.0", "mulf", "f32", True),  # 2^12 + 1
    ("1.0e+05", "addf", "f32", False),  # an offset, not a rounding
    ("-3.40282347e+38", "maximumf", "f32", False),  # a maximum's identity
    ("1.0e+10", "mulf", "f64", False),
])
def test_a_kernel_that_may_round_on_purpose_is_told_by_its_constants(constant, op, ty, purpose):
    from neurojit.evaluator.twins import rounds_on_purpose

    assert rounds_on_purpose(_scalar(constant, op, ty)) == purpose


def test_a_nan_is_accepted_only_where_rounding_alone_gave_one():
    """Runs that give NaN where the exact value handed in is finite (a division by a residual that is all
    rounding: 0 / 0 in some runs) mark the element NaN in the noise (the edge, where a candidate's NaN
    stands)."""
    text = """func.func @k(%a: memref<4xf32>, %b: memref<4xf32>, %o: memref<4xf32>) {
  affine.for %i = 0 to 4 {
    %x = affine.load %a[%i] : memref<4xf32>
    %y = affine.load %b[%i] : memref<4xf32>
    %s = arith.subf %x, %y : f32
    %t = arith.addf %x, %y : f32
    %d = arith.subf %t, %y : f32
    %r = arith.subf %d, %x : f32
    %q = arith.divf %r, %r : f32
    affine.store %q, %o[%i] : memref<4xf32>
  }
  return
}"""
    noise = Noise(exact_twin(text, {"float32"})[0], "f32")
    noise.decide(lambda t, origin: _build(t), 0.001)
    a = np.array([1.0, 1.0, 3.0, 5.0])
    b = np.array([1e-9, 0.5, 1e-9, 0.25])  # ((a + b) - b) - a: a rounding residual where b is tiny against a, else 0
    exact = np.array([1.0, np.nan, 1.0, np.nan])  # r / r in f64: 1 where the residual is a rounding, else 0 / 0
    found = noise.run([a, b, np.zeros(4)], [exact], [2], [np.full(4, np.nan, np.float32)], [1e-5], 0.0)
    assert found is not None and np.isnan(found[0][0]) and np.isnan(found[0][2])
