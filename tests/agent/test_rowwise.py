"""Row-wise fused softmax and layer norm (RowwiseFused) and the math approximations (compiler/approx.py).

The schedules give numpy's answer on odd sizes through the real evaluator (every value class, Inf and NaN
included); exp, log and tanh with the approximation pass the evaluator; erf, which the baseline lowering
cannot compile (no libm lowering for math.erf), is held to the evaluator's own comparison rules against the
exact float64 erf on every float value class; and approximations that get the edges wrong (saturating
exp(+Inf), dropping NaN) are rejected, because those classes are in the plan."""

from __future__ import annotations

import dataclasses
import math
import pathlib
import re

import numpy as np
import pytest

from neurojit.agent.analyze import analyze
from neurojit.agent.schedules import RowwiseFused, for_kernel, parts
from neurojit.compiler import compile_kernel, host, load_kernel
from neurojit.compiler.approx import MARK
from neurojit.compiler.build import lower_kernel
from neurojit.compiler.schedule import knobs_of
from neurojit.evaluator import EvalConfig, Evaluator
from neurojit.evaluator.compare import compare, tolerance
from neurojit.evaluator.inputs import make_args, plan

SOFTMAX = """#x = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
func.func @softmax(%x: memref<37x203xf32>, %out: memref<37x203xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %max = memref.alloc() : memref<37xf32>
  %sum = memref.alloc() : memref<37xf32>
  linalg.fill ins(%ninf : f32) outs(%max : memref<37xf32>)
  linalg.generic {indexing_maps = [#x, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<37x203xf32>) outs(%max : memref<37xf32>) {
  ^bb0(%v: f32, %m: f32):
    %r = arith.maximumf %m, %v : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#x, #r, #x], iterator_types = ["parallel", "parallel"]}
      ins(%x, %max : memref<37x203xf32>, memref<37xf32>) outs(%out : memref<37x203xf32>) {
  ^bb0(%v: f32, %m: f32, %o: f32):
    %d = arith.subf %v, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  }
  linalg.fill ins(%zero : f32) outs(%sum : memref<37xf32>)
  linalg.generic {indexing_maps = [#x, #r], iterator_types = ["parallel", "reduction"]}
      ins(%out : memref<37x203xf32>) outs(%sum : memref<37xf32>) {
  ^bb0(%e: f32, %a: f32):
    %r = arith.addf %a, %e : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#r, #x], iterator_types = ["parallel", "parallel"]}
      ins(%sum : memref<37xf32>) outs(%out : memref<37x203xf32>) {
  ^bb0(%s: f32, %e: f32):
    %r = arith.divf %e, %s : f32
    linalg.yield %r : f32
  }
  memref.dealloc %max : memref<37xf32>
  memref.dealloc %sum : memref<37xf32>
  return
}
"""

# layer norm without scale and shift, mean and variance in local buffers (not outputs), one-pass variance
# E[x^2] - mean^2 is not used: (x - mean)^2 as frameworks do
LAYER_NORM_PLAIN = """#x = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
#v = affine_map<(i) -> (i)>
func.func @ln(%x: memref<19x77xf32>, %y: memref<19x77xf32>) {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 77.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %mean = memref.alloc() : memref<19xf32>
  %var = memref.alloc() : memref<19xf32>
  linalg.fill ins(%zero : f32) outs(%mean : memref<19xf32>)
  linalg.generic {indexing_maps = [#x, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<19x77xf32>) outs(%mean : memref<19xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#v], iterator_types = ["parallel"]} outs(%mean : memref<19xf32>) {
  ^bb0(%m: f32):
    %d = arith.divf %m, %n : f32
    linalg.yield %d : f32
  }
  linalg.fill ins(%zero : f32) outs(%var : memref<19xf32>)
  linalg.generic {indexing_maps = [#x, #r, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x, %mean : memref<19x77xf32>, memref<19xf32>) outs(%var : memref<19xf32>) {
  ^bb0(%a: f32, %m: f32, %acc: f32):
    %d = arith.subf %a, %m : f32
    %sq = arith.mulf %d, %d : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#x, #r, #r, #x], iterator_types = ["parallel", "parallel"]}
      ins(%x, %mean, %var : memref<19x77xf32>, memref<19xf32>, memref<19xf32>) outs(%y : memref<19x77xf32>) {
  ^bb0(%a: f32, %m: f32, %s: f32, %o: f32):
    %v = arith.divf %s, %n : f32
    %ve = arith.addf %v, %eps : f32
    %r = math.rsqrt %ve : f32
    %d = arith.subf %a, %m : f32
    %o2 = arith.mulf %d, %r : f32
    linalg.yield %o2 : f32
  }
  memref.dealloc %mean : memref<19xf32>
  memref.dealloc %var : memref<19xf32>
  return
}
"""


def _layer_norm_affine(m: int, n: int, examples) -> str:
    """examples/kernels/layer_norm.mlir (scale, shift, mean and rstd outputs) at m x n."""
    t = (examples / "kernels" / "layer_norm.mlir").read_text()
    return (t.replace("256x768", f"{m}x{n}").replace("768xf32", f"{n}xf32").replace("256xf32", f"{m}xf32")
            .replace("768.0", f"{n}.0"))


def _elementwise(op: str, shape: str = "9x45") -> str:
    """out = op(x), one f32 math op per element."""
    return f"""#m = affine_map<(i, j) -> (i, j)>
func.func @f(%x: memref<{shape}xf32>, %y: memref<{shape}xf32>) {{
  linalg.generic {{indexing_maps = [#m, #m], iterator_types = ["parallel", "parallel"]}}
      ins(%x : memref<{shape}xf32>) outs(%y : memref<{shape}xf32>) {{
  ^bb0(%a: f32, %o: f32):
    %r = {op} %a : f32
    linalg.yield %r : f32
  }}
  return
}}
"""


def _approximating_schedule(ops: str = '"math.exp", "math.log", "math.tanh", "math.erf"') -> str:
    """Tile and vectorise an elementwise kernel (16 lanes, masked tail), mark its math ops for approximation."""
    a = parts.ANY
    return ("module attributes {transform.with_named_sequence} {\n"
            f"transform.named_sequence @__transform_main(%root: {a} {{transform.consumed}}) {{\n"
            f"  %ops = transform.structured.match interface{{LinalgOp}} in %root : ({a}) -> {a}\n"
            + parts.tile_vectorize("%ops", [1, 16], "e")
            + f"  %m = transform.structured.match ops{{[{ops}]}} in %root : ({a}) -> {a}\n"
            f'  transform.annotate %m "{MARK}" : {a}\n'
            + parts.func("%fb") + parts.lower_vectors("%fb") + "  transform.yield\n}\n}\n")


def test_rowwise_is_proposed_first_for_softmax_and_layer_norm(examples):
    h = host()
    for text in (SOFTMAX, LAYER_NORM_PLAIN, _layer_norm_affine(5, 33, examples)):
        info = analyze(text)
        assert RowwiseFused().applies(info)
        assert for_kernel(info, h)[0].name == "rowwise_fused"
    # one op (nothing to fuse) and a matmul are not its class
    assert not RowwiseFused().applies(analyze(examples / "kernels" / "row_sum.mlir"))
    assert not RowwiseFused().applies(analyze(examples / "kernels" / "matmul_256.mlir"))


def test_rowwise_is_one_loop_over_rows_without_libm_calls(examples):
    """After the schedule: a single outer loop holds every op of a row; exp is a polynomial, not a call."""
    info = analyze(SOFTMAX)
    s = RowwiseFused()
    lowered = lower_kernel(SOFTMAX, s.text(info, host()), s.defaults(info, host()))
    outer = [line for line in lowered.mlir.splitlines() if line.startswith("    scf.for")]
    assert len(outer) == 1, lowered.mlir
    exps = [line for line in lowered.mlir.splitlines() if "math.exp" in line]
    assert exps and all(MARK in line for line in exps)  # every exp marked for the approximation
    llvm = str(lowered.module)
    assert set(re.findall(r"llvm\.call @(\w+)", llvm)) <= {"malloc", "free"} and "llvm.intr.exp" not in llvm


@pytest.mark.slow
def test_rowwise_gives_numpys_answer_through_the_evaluator(examples):
    h = host()
    cases = [SOFTMAX, LAYER_NORM_PLAIN, _layer_norm_affine(7, 45, examples)]
    with Evaluator(EvalConfig(bench=False, workers=2)) as ev:
        verdicts = []
        for text in cases:
            info = analyze(text)
            # softmax with one reciprocal per row (the tuner's other choice): right on every value class too
            s = (RowwiseFused(reciprocal=1) if text is SOFTMAX else RowwiseFused(rows=1, width=24))
            verdicts.append(ev.evaluate(text, s.text(info, h), s.defaults(info, h)))
    for text, v in zip(cases, verdicts):
        assert v.verdict == "accept", f"{analyze(text).name}: {v.reason.value}: {v.detail}"


def test_rowwise_matches_numpy_on_odd_sizes():
    info = analyze(SOFTMAX)
    s = RowwiseFused(width=3 * 8)  # a width that divides neither 203 nor the host's vector
    k = compile_kernel(SOFTMAX, s.text(info, host()), s.defaults(info, host()))
    x = np.random.default_rng(1).standard_normal((37, 203)).astype(np.float32) * 8
    out = np.full_like(x, np.nan)
    k(x, out)
    e = np.exp(x.astype(np.float64) - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(out, e / e.sum(axis=1, keepdims=True), rtol=2e-6, atol=1e-9)


@pytest.mark.slow
def test_approximated_math_passes_the_evaluator_and_wrong_edges_are_rejected():
    """exp, log, tanh approximated: accepted on every value class. Two approximations that are right on
    ordinary data but wrong at the edges are rejected: exp saturating at exp(80) instead of overflowing to
    Inf (the `limit` and `infinite` classes), and a tanh that turns NaN into 1 (the `nan` class)."""
    sched = _approximating_schedule()
    saturating = _elementwise("math.exp").replace("%r = math.exp %a : f32",
                                                  "%c = arith.constant 80.0 : f32\n"
                                                  "    %s = arith.minnumf %a, %c : f32\n"
                                                  "    %r = math.exp %s : f32")
    nan_to_one = _elementwise("math.tanh").replace("%r = math.tanh %a : f32",
                                                   "%c = arith.constant 9.0 : f32\n"
                                                   "    %s = arith.minnumf %a, %c : f32\n"
                                                   "    %r = math.tanh %s : f32")
    with Evaluator(EvalConfig(bench=False, workers=2)) as ev:
        good = [ev.evaluate(_elementwise(op), sched) for op in ("math.exp", "math.log", "math.tanh")]
        bad = [ev.evaluate(_elementwise("math.exp"), saturating, None),
               ev.evaluate(_elementwise("math.tanh"), nan_to_one, None)]
    for op, v in zip(("exp", "log", "tanh"), good):
        assert v.verdict == "accept", f"{op}: {v.reason.value}: {v.detail}"
    for v in bad:
        assert v.verdict == "reject" and v.reason.value in ("wrong_result", "nonfinite"), v.detail


def test_value_classes_with_inf_and_nan_are_in_the_plan():
    sig = compile_kernel(_elementwise("math.exp")).signature
    sets = {p.set for p in plan(sig, 3)}
    assert {"infinite", "nan", "subnormal", "tiny", "limit"} <= sets


def test_approximations_within_the_evaluators_tolerance_on_every_value_class():
    """All four approximations (erf too, which the naive lowering cannot compile) against the exact float64
    function under the evaluator's own rules (compare.py), on each float value class of inputs.py."""
    exact = {"math.exp": np.exp, "math.log": np.log, "math.tanh": np.tanh, "math.erf": np.vectorize(math.erf),
             "math.sin": np.sin, "math.cos": np.cos}
    sched = _approximating_schedule(", ".join(f'"{op}"' for op in exact))
    rtol = tolerance("float32", 0, EvalConfig().tolerance_factor)
    for op, ref in exact.items():
        k = compile_kernel(_elementwise(op, "7x61"), sched)
        sig = k.signature
        for p in plan(sig, 3):
            x = make_args(p, sig, 0, 0, [np.zeros((7, 61), np.float32)])[0]  # (the input: no output state matters)
            y = np.zeros_like(x)
            k(x, y)
            with np.errstate(all="ignore"):  # the baseline stands in as the exact value rounded to float32
                want = ref(x.astype(np.float64))
                c = compare(y, want.astype(np.float32), rtol, want)
            assert c.problem is None, f"{op} on {p.set}: {c.where}"


def test_odd_rows_are_peeled_not_masked():
    """203 = 3 x 64 + 11: full vector steps and one shorter last step, each of a static shape; no masks (a
    masked main loop kept the partial results in memory and ran 1.5x slower)."""
    info = analyze(SOFTMAX)
    s = RowwiseFused()
    lowered = lower_kernel(SOFTMAX, s.text(info, host()), s.defaults(info, host()))
    assert not re.search(r"vector\.(create_mask|constant_mask|mask|maskedload|maskedstore)\b", lowered.mlir)
    assert "llvm.intr.masked" not in str(lowered.module)
    width = s.defaults(info, host())["width"]
    assert f"vector<1x{203 % width}xf32>" in lowered.mlir  # the last, shorter step
    assert f"vector<1x{width}xf32>" in lowered.mlir  # the full steps


def test_reciprocal_is_a_knob_only_where_a_map_reads_a_row_value_and_divides(examples):
    h = host()
    soft = analyze(SOFTMAX)
    assert "reciprocal" in RowwiseFused().defaults(soft, h)
    assert "reciprocal" not in RowwiseFused().defaults(analyze(_layer_norm_affine(5, 33, examples)), h)
    flags = {}
    for r in (0, 1):
        s = RowwiseFused(reciprocal=r)
        llvm = str(lower_kernel(SOFTMAX, s.text(soft, h), s.defaults(soft, h)).module)
        flags[r] = re.findall(r"llvm\.fdiv [^\n]*", llvm)
    assert flags[0] and not any("arcp" in f for f in flags[0])
    assert flags[1] and all("arcp" in f for f in flags[1])
    # within the evaluator's float32 tolerance of numpy's exact division, on odd sizes
    k = compile_kernel(SOFTMAX, RowwiseFused(reciprocal=1).text(soft, h), RowwiseFused(reciprocal=1).defaults(soft, h))
    x = np.random.default_rng(2).standard_normal((37, 203)).astype(np.float32) * 8
    out = np.zeros_like(x)
    k(x, out)
    e = np.exp(x.astype(np.float64) - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(out, e / e.sum(axis=1, keepdims=True), rtol=4e-6, atol=1e-9)


def test_fields_are_the_knobs_and_each_can_be_pinned():
    info, h = analyze(SOFTMAX.replace("37x", "64x").replace("<37xf32>", "<64xf32>")), host()
    s = RowwiseFused()
    start = s.defaults(info, h)
    assert sorted(k.name for k in s.space(info, h)) == sorted(start) == ["reciprocal", "rows", "width"]
    for k in s.space(info, h):
        other = next(c for c in (k.choices or (start[k.name] + k.step,)) if c != start[k.name])
        assert knobs_of(dataclasses.replace(s, **{k.name: other}).text(info, h)) == {**start, k.name: other}


@pytest.mark.parametrize("op, ref", [("math.tanh", np.tanh), ("math.exp", np.exp),
                                     ("math.erf", np.vectorize(math.erf)), ("math.sin", np.sin), ("math.cos", np.cos)])
def test_the_elementwise_schedule_keeps_math_in_vectors(op, ref):
    """GELU, sigmoid, SiLU are elementwise maps around tanh, exp, erf: the library's elementwise schedule marks
    those for the approximation, so they stay vectors instead of one libm call per lane (a tanh GELU of
    1024x1024: 34 ms naive, 0.48 ms vectorised on one core); on odd sizes it gives numpy's answer."""
    text = _elementwise(op, "37x203")
    info = analyze(text)
    s = next(s for s in for_kernel(info, host()) if s.name == "vectorize_elementwise")
    lowered = lower_kernel(text, s.text(info, host()), s.defaults(info, host()))
    llvm = str(lowered.module)  # neither libm calls nor LLVM's math intrinsics (scalarised into libm calls)
    if op in ("math.sin", "math.cos"):  # the math library only on the branch past the range (a vector's lanes)
        llvm = re.sub(r"llvm\.intr\.(sin|cos)\(%\w+\) : \(vector<\d+xf32>\)", "", llvm)
        assert re.search(r"llvm\.intr\.fma\(.*vector<", llvm)
    assert set(re.findall(r"llvm\.call @(\w+)", llvm)) <= {"malloc", "free"}
    assert not re.search(r"llvm\.intr\.(exp|log|tanh|erf|sin|cos)", llvm)
    k = compile_kernel(text, s.text(info, host()), s.defaults(info, host()))
    x = np.random.default_rng(2).standard_normal((37, 203)).astype(np.float32) * 4
    out = np.full_like(x, np.nan)
    k(x, out)
    np.testing.assert_allclose(out, ref(x.astype(np.float64)), rtol=2e-6, atol=1e-7)


def test_a_fused_matmul_epilogue_keeps_its_math_in_vectors(examples):
    """A dense layer with a tanh epilogue: the fused schedule's epilogue stays vectors too (the schedules that
    bufferize through parts.bufferize_and_lower mark their math)."""
    text = ((examples / "kernels" / "matmul_bias_relu.mlir").read_text()
            .replace("%relu = arith.maximumf %sum, %zero : f32", "%relu = math.tanh %sum : f32")
            .replace("256x512", "37x512").replace("256x256", "37x256"))
    info = analyze(text)
    s = next(s for s in for_kernel(info, host()) if s.name == "fused_matmul_epilogue")
    llvm = str(lower_kernel(text, s.text(info, host()), s.defaults(info, host())).module)
    assert "llvm.call @tanhf" not in llvm and not re.search(r"llvm\.intr\.(exp|tanh)", llvm)
    k = compile_kernel(text, s.text(info, host()), s.defaults(info, host()))
    rng = np.random.default_rng(3)
    a, w = (rng.standard_normal(sh).astype(np.float32) * 0.1 for sh in ((37, 512), (512, 256)))
    b, out = rng.standard_normal(256).astype(np.float32), np.full((37, 256), np.nan, np.float32)
    k(a, w, b, out)
    np.testing.assert_allclose(out, np.tanh(a.astype(np.float64) @ w + b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("op, ref", [("math.sin", np.sin), ("math.cos", np.cos)])
def test_sin_and_cos_are_within_2_ulp_and_take_the_math_library_past_their_range(op, ref):
    """Cephes' reduction by pi / 4 in three parts (FMAs) and polynomials: within 2 ulp wherever the value is
    above 1e-3 and within 1e-7 absolute near the zeros, for |x| up to the range; a vector with a lane past it
    (8193, 1e30, Inf) is computed by the math library's call per lane instead (a 16-lane vector here), so it is
    libm's answer, NaN for Inf; -0.0 and NaN kept."""
    from neurojit.compiler.approx import SINCOS_RANGE

    k = compile_kernel(_elementwise(op, "16x1025"), _approximating_schedule(f'"{op}"'))
    rng = np.random.default_rng(7)
    for x in (np.linspace(-SINCOS_RANGE, SINCOS_RANGE, 16 * 1025), rng.standard_normal(16 * 1025) * 5):
        x = x.astype(np.float32).reshape(16, 1025)
        y = np.full_like(x, np.nan)
        k(x, y)
        exact = ref(x.astype(np.float64))
        err = np.abs(y - exact)
        big = np.abs(exact) > 1e-3
        assert np.max(err[big] / np.spacing(np.abs(exact[big]).astype(np.float32))) <= 2
        assert err.max() <= 1e-7
    x = np.full((16, 1025), 0.5, np.float32)
    x[0, :8] = [0.0, -0.0, np.nan, 1e-45, SINCOS_RANGE + 1, 1e30, np.inf, -np.inf]
    x[1, :4] = [0.0, -0.0, np.nan, -1e-45]  # a row with every lane in range
    y = np.zeros_like(x)
    k(x, y)
    with np.errstate(invalid="ignore"):
        want = ref(x.astype(np.float64)).astype(np.float32)
    np.testing.assert_allclose(y[:2, :8], want[:2, :8], rtol=2e-7, atol=0)  # NaN where the exact is NaN
    assert list(np.signbit(y[:2, :2]).ravel()) == list(np.signbit(want[:2, :2]).ravel())


def test_tanh_and_erf_approximations_saturate_to_exactly_one():
    """From their bound on, tanh and erf are exactly +-1, as libm's are: the rational function gave
    -0.99999994 at -Inf, so a GELU's -Inf * (1 + tanh(-Inf)) was -Inf, not NaN, and the evaluator refused
    the example GELU's every schedule on the `infinite` set."""
    sched = _approximating_schedule()
    x = np.ascontiguousarray(np.resize(np.array([-np.inf, -20.0, -8.0, -7.95, 7.95, 8.0, 9.0, np.inf], np.float32),
                                       (7, 61)))
    for op in ("math.tanh", "math.erf"):
        k = compile_kernel(_elementwise(op, "7x61"), sched)
        y = np.zeros_like(x)
        k(x, y)
        np.testing.assert_array_equal(y, np.sign(x))


@pytest.mark.parametrize("body, exact", [
    ("%t = math.tanh %a : f32\n    %r = arith.addf %one, %t : f32", lambda x: 2 / (1 + np.exp(-2 * x))),
    ("%t = math.tanh %a : f32\n    %r = arith.addf %t, %one : f32", lambda x: 2 / (1 + np.exp(-2 * x))),
    ("%t = math.tanh %a : f32\n    %r = arith.subf %one, %t : f32", lambda x: 2 / (1 + np.exp(2 * x)))])
def test_one_plus_tanh_is_within_a_few_ulp_of_itself(body, exact):  # (exact: 1 + tanh in f64 cancels too)
    """A tanh-GELU's 0.5 v (1 + tanh(...)) in its negative tail is 1 + tanh, which cancels: what is left was the
    rounded tanh's error (the rational's 7 ulp of 1, and 100% past 7.9, where it is already -1), and the
    evaluator refused every approximated proposal of a dynamic-batch GELU on wide inputs. 1 + tanh(x) and
    1 - tanh(x) are computed as 2 / (1 + exp(-+2x)): a few ulp of their own value, 0 and 2 at the infinities."""
    text = _elementwise("OP", "16x1025").replace("%r = OP %a : f32", "%one = arith.constant 1.0 : f32\n    " + body)
    k = compile_kernel(text, _approximating_schedule('"math.tanh"'))
    llvm = str(lower_kernel(text, _approximating_schedule('"math.tanh"')).module)
    assert "tanh" not in llvm
    rng = np.random.default_rng(5)
    for x in (np.linspace(-12, 12, 16 * 1025), rng.standard_normal(16 * 1025) * 4):
        x = x.astype(np.float32).reshape(16, 1025)
        y = np.full_like(x, np.nan)
        k(x, y)
        want = exact(x.astype(np.float64))
        ok = want > 1e-37  # (past 44 its value is below float's normal range)
        assert np.max(np.abs(y[ok] - want[ok]) / np.spacing(want[ok].astype(np.float32))) <= 4
    x = np.zeros((16, 1025), np.float32)
    x[0, :5] = [np.inf, -np.inf, np.nan, 0.0, -100.0]
    y = np.zeros_like(x)
    k(x, y)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(y[0, :5], exact(x[0, :5].astype(np.float64)).astype(np.float32))


# LLaMA's RMSNorm as a memref kernel writes it: the row sums of squares in a stack scratch (memref.alloca)
RMS_NORM_ALLOCA = """#x = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
#c = affine_map<(i, j) -> (j)>
func.func @rms(%x: memref<29x203xf32>, %w: memref<203xf32>, %y: memref<29x203xf32> {neurojit.output}) {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 203.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %ss = memref.alloca() : memref<29xf32>
  linalg.fill ins(%zero : f32) outs(%ss : memref<29xf32>)
  linalg.generic {indexing_maps = [#x, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<29x203xf32>) outs(%ss : memref<29xf32>) {
  ^bb0(%v: f32, %a: f32):
    %q = arith.mulf %v, %v : f32
    %s = arith.addf %a, %q : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#x, #r, #c, #x], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ss, %w : memref<29x203xf32>, memref<29xf32>, memref<203xf32>) outs(%y : memref<29x203xf32>) {
  ^bb0(%v: f32, %s: f32, %g: f32, %o: f32):
    %m = arith.divf %s, %n : f32
    %me = arith.addf %m, %eps : f32
    %r = math.rsqrt %me : f32
    %a = arith.mulf %v, %r : f32
    %b = arith.mulf %a, %g : f32
    linalg.yield %b : f32
  }
  return
}
"""


def test_a_scratch_on_the_stack_is_a_local_buffer_too():
    """A row-sum scratch in a memref.alloca is put in tensor form as one in a memref.alloc is: the row-wise
    schedule comes first and gives numpy's answer (only the generic register tile applied before, 0.55x naive)."""
    info = analyze(RMS_NORM_ALLOCA)
    assert info.straight_line and info.local_buffers == 1
    first = for_kernel(info, host())[0]
    assert isinstance(first, RowwiseFused)
    k = compile_kernel(RMS_NORM_ALLOCA, first.text(info, host()), first.defaults(info, host()))
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((29, 203)).astype(np.float32), rng.standard_normal(203).astype(np.float32)
    y = np.full_like(x, np.nan)
    k(x, w, y)
    x64 = x.astype(np.float64)
    want = x64 / np.sqrt((x64 * x64).mean(axis=1, keepdims=True) + 1e-6) * w
    np.testing.assert_allclose(y, want, rtol=2e-5, atol=1e-6)


def test_a_stablehlo_rmsnorm_of_named_maps_is_fused_and_goes_row_wise():
    """linalg.map, linalg.reduce and two linalg.broadcast (seven passes over the rows, 1.3x naive at best) are
    generalized and fused producer into consumer when the function is read (convention.py `_fuse_maps`): the
    sum of squares and the scaling generics torch-mlir writes, which the row-wise schedule takes."""
    text = (pathlib.Path(__file__).parent / "kernels" / "rmsnorm_named_maps.mlir").read_text()
    kernel = load_kernel(text)
    assert not re.search(r"linalg\.(map|broadcast|reduce)\b", kernel.source)
    info = analyze(text)
    assert [op.name for op in info.ops] == ["linalg.fill", "linalg.generic", "linalg.generic"]
    first = for_kernel(info, host())[0]
    assert isinstance(first, RowwiseFused)
    k = compile_kernel(text, first.text(info, host()), first.defaults(info, host()))
    rng = np.random.default_rng(4)
    x, g = rng.standard_normal((129, 771)).astype(np.float32), rng.standard_normal(771).astype(np.float32)
    xd = x.astype(np.float64)
    want = xd / np.sqrt((xd * xd).sum(axis=1, keepdims=True) / 771 + 1e-6) * g
    np.testing.assert_allclose(k(x, g), want, rtol=2e-5, atol=1e-6)
