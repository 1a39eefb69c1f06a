"""The generic register tile (register_tile_any): it fits any linalg kernel and gives numpy's answer on each,
with its default knobs and with rows moved, widths that leave tails, and so on. The kernels
(tests/agent/kernels/) include classes only it fits (a batched matmul, a column reduction) and classes where
the host model weighs it against a specialised schedule: convolutions (NCHW, NHWC, strided, depthwise),
pooling, a transposed matmul, a full reduction (0-d output)."""

from __future__ import annotations

import dataclasses
import pathlib

import numpy as np
import pytest

from support.paths import KERNELS

from neurojit.agent.analyze import analyze
from neurojit.agent.schedules import FALLBACK, for_kernel
from neurojit.agent.schedules.generic import depth_loop, order, plan, split_loop
from neurojit.compiler import ScheduleError, compile_kernel, host
from neurojit.compiler.schedule import knobs_of
from neurojit.evaluator import EvalConfig, Evaluator

HERE = pathlib.Path(__file__).resolve().parent / "kernels"
EXAMPLES = KERNELS


def _windows(x: np.ndarray, kh: int, kw: int, stride: int, h_axis: int) -> np.ndarray:
    """x's kh x kw windows: the window offsets become two new leading axes."""
    oh = (x.shape[h_axis] - kh) // stride + 1
    ow = (x.shape[h_axis + 1] - kw) // stride + 1
    sl = [slice(None)] * x.ndim
    out = []
    for i in range(kh):
        row = []
        for j in range(kw):
            sl[h_axis] = slice(i, i + stride * (oh - 1) + 1, stride)
            sl[h_axis + 1] = slice(j, j + stride * (ow - 1) + 1, stride)
            row.append(x[tuple(sl)])
        out.append(row)
    return np.array(out)


def _reference(stem: str, a: list[np.ndarray]) -> np.ndarray:
    a = [x.astype(np.float64) for x in a]
    if stem == "conv_nhwc":  # in[n,y+i,x+j,c] w[i,j,c,f]
        return a[2] + np.einsum("ijnyxc,ijcf->nyxf", _windows(a[0], 3, 3, 1, 1), a[1])
    if stem == "conv2d":
        return a[2] + np.einsum("ijncyx,fcij->nfyx", _windows(a[0], 3, 3, 1, 2), a[1])
    if stem == "conv_nchw_stride2":
        return a[2] + np.einsum("ijncyx,fcij->nfyx", _windows(a[0], 3, 3, 2, 2), a[1])
    if stem == "dwconv":
        return a[2] + np.einsum("ijnyxc,ijc->nyxc", _windows(a[0], 3, 3, 1, 1), a[1])
    if stem == "pool":
        return np.maximum(a[2], _windows(a[0], 3, 3, 1, 1).max(axis=(0, 1)))
    if stem == "bmm":
        return a[2] + a[0] @ a[1]
    if stem == "mm_tb_f64":
        return a[2] + a[0] @ a[1].T
    if stem in ("colsum", "colsum_big"):
        return a[1] + a[0].sum(axis=0)
    if stem == "vecmat_odd":
        return a[2] + a[0] @ a[1]
    if stem == "dot":
        return a[2] + a[0] @ a[1]
    raise KeyError(stem)


def _text(stem: str) -> str:
    return ((EXAMPLES if stem == "conv2d" else HERE) / f"{stem}.mlir").read_text()


def _check(stem: str, knobs: dict | None = None) -> None:
    text = _text(stem)
    info = analyze(text)
    k = compile_kernel(text, FALLBACK.text(info, host()), knobs)
    rng = np.random.default_rng(7)
    args = [np.array(rng.standard_normal(a.shape), dtype=a.dtype) for a in k.signature.args]
    want = _reference(stem, args)
    k(*args)
    tol = 1e-12 if args[-1].dtype == np.float64 else 2e-4
    np.testing.assert_allclose(args[-1], want, rtol=tol, atol=tol)


STEMS = ["conv2d", "conv_nhwc", "conv_nchw_stride2", "dwconv", "pool", "bmm", "mm_tb_f64", "colsum", "dot",
         "vecmat_odd"]


@pytest.mark.parametrize("stem", STEMS)
def test_the_generic_tile_fits_and_it_is_right(stem):
    info = analyze(_text(stem))
    assert FALLBACK.applies(info)
    _check(stem)


@pytest.mark.parametrize("stem", ["bmm", "colsum"])
def test_only_the_generic_tile_fits_these(stem):
    assert [s.name for s in for_kernel(analyze(_text(stem)), host())] == ["register_tile_any"]


@pytest.mark.parametrize("stem", ["conv2d", "bmm", "pool", "colsum", "vecmat_odd"])
def test_other_knobs_are_right_too(stem):
    """Rows on every other loop at once, and a width that is not a multiple of the extents (peeled tails)."""
    info = analyze(_text(stem))
    space = FALLBACK.space(info, host())
    lanes = space[0].low
    knobs = {k.name: min(k.high, 3) for k in space[1:]}
    _check(stem, {"width": 3 * lanes, **knobs})
    _check(stem, {"width": lanes, **{k: 1 for k in knobs}})


def test_fields_pin_the_width_and_the_rows():
    """The row knobs depend on the kernel, so they are one field of (knob, value) pairs: those given pin
    their knobs, the rest start where they would; a pair naming no row loop of the kernel is refused."""
    info = analyze(_text("conv2d"))
    h = host()
    start = FALLBACK.defaults(info, h)
    assert [k.name for k in FALLBACK.space(info, h)] == list(start)
    assert knobs_of(FALLBACK.text(info, h)) == start
    row = next(k for k in start if k != "width")
    pinned = dataclasses.replace(FALLBACK, width=start["width"] * 2, rows=((row, start[row] + 1),))
    assert knobs_of(pinned.text(info, h)) == {**start, "width": start["width"] * 2, row: start[row] + 1}
    with pytest.raises(ScheduleError, match="no row knob"):
        dataclasses.replace(FALLBACK, rows=(("r9_9", 2),)).text(info, h)


def test_plan_picks_contiguous_vectors_and_cheap_rows():
    conv = analyze(_text("conv2d")).ops[0]  # loops n, f, oh, ow, c, kh, kw
    assert plan(conv) == (3, 2)  # vectors along ow; rows along oh load input rows, not a filter column
    bmm = analyze(_text("bmm")).ops[0]  # loops b, i, j, k
    assert plan(bmm) == (2, 1)  # vectors along j (B and C rows); rows along i reuse each B vector
    col = analyze(_text("colsum")).ops[0]  # loops i (reduced), j
    assert plan(col) == (1, None)


def test_outer_reductions_sum_terms_in_registers_and_split_columns():
    """Where the vector loop is the only parallel loop, a reduction loop outside it (a column sum) or moved
    there (a vector-matrix product) is the depth loop, its terms summed in registers; a column sum big enough
    is split along its columns, and gives numpy's answer in 1, 2 and 3 tasks."""
    col = analyze(_text("colsum")).ops[0]  # loops i (reduced), j
    assert depth_loop(col, 1) == 0 and order(col, 1) == [0, 1]
    vm = analyze(_text("vecmat_odd")).ops[0]  # loops j, i (reduced)
    assert depth_loop(vm, 0) == 1 and order(vm, 0) == [1, 0]
    conv = analyze(_text("conv2d")).ops[0]  # rows along oh amortise the output
    assert depth_loop(conv, plan(conv)[0]) is None
    row = analyze(_text("matvec")).ops[0]  # its input is contiguous in the reduced loop
    assert depth_loop(row, plan(row)[0]) is None
    info = analyze(_text("colsum_big"))
    assert split_loop(info.ops[0], info, 2) == 1
    split = any(k.name == "threads" for k in FALLBACK.space(info, host()))
    assert split == (host().cores > 1)
    for t in (1, 2, 3) if split else (None,):
        _check("colsum_big", {"threads": t} if t else None)


def test_a_matvec_is_a_row_reduction_and_a_batched_matmul_is_not():
    assert [s.name for s in for_kernel(analyze(_text("matvec")), host())] == ["vectorize_row_reduction"]
    assert not analyze(_text("bmm")).ops[0].is_row_reduction


def test_a_kernel_with_a_0d_output_is_evaluated():
    with Evaluator(EvalConfig(workers=1, bench_time_cap_s=0.2, random_sets=1)) as ev:
        info = analyze(_text("dot"))
        v = ev.evaluate(str(HERE / "dot.mlir"), FALLBACK.text(info, host()))
    assert v.accepted, v.detail


def test_rows_span_up_to_8_along_the_row_loop_and_2_along_the_others():
    """A tile spanning several loops at once (6 x 5 x 5 rows of 48 elements on a batch norm, every loop
    peeled) took over 120 s to compile: the other parallel loops' rows knobs stop at 2."""
    info = analyze(_text("conv2d"))  # loops n, f, oh, ow, c, kh, kw: vectors along ow, rows along oh
    op = info.ops[0]
    highs = {k.name: k.high for k in FALLBACK.space(info, host()) if k.name.startswith("r")}
    v, x = plan(op)
    assert highs[f"r0_{x}"] == min(8, op.extents[x])
    assert all(h <= 2 for name, h in highs.items() if name != f"r0_{x}") and len(highs) > 1
