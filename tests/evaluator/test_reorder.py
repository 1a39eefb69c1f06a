"""The reference process's order-keeping loop order (evaluator/reorder.py): bit-identical, and used only so."""

import dataclasses
import pathlib

import numpy as np
import pytest
from neurojit.compiler import compile_kernel
from neurojit.evaluator import EvalConfig, inputs, reference
from neurojit.evaluator.reorder import P_TILE, Q_TILE, order, plan, reordered

MATMUL = """module {
  func.func @mm(%a: memref<37x29xf32>, %b: memref<29x23xf32>, %c: memref<37x23xf32>) {
    linalg.matmul ins(%a, %b : memref<37x29xf32>, memref<29x23xf32>) outs(%c : memref<37x23xf32>)
    return
  }
}
"""

# out[j] accumulates into itself in place: reading the output as an input must keep the naive order
IN_PLACE = """module {
  func.func @k(%x: memref<16x8xf32>, %out: memref<8xf32>) {
    linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d1)>], iterator_types = ["parallel", "reduction"]}
        ins(%out, %x : memref<8xf32>, memref<16x8xf32>) outs(%out : memref<8xf32>) {
    ^bb0(%o: f32, %v: f32, %acc: f32):
      %s = arith.addf %acc, %v : f32
      linalg.yield %s : f32
    }
    return
  }
}
"""


def test_reduction_loops_move_outside_the_outputs_fastest_loop_keeping_their_order():
    assert order(["parallel", "parallel", "reduction"], [["d0", "d1"]]) == [0, 2, 1]  # matmul: i, k, j
    assert order(["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"],
                 [["d0", "d1", "d2", "d3"]]) == [0, 1, 2, 4, 5, 3]  # NCHW pooling: the window outside ow
    assert order(["parallel", "reduction", "parallel"], [["d0", "d2"]]) is None  # already innermost-parallel
    assert order(["parallel", "parallel"], [["d0", "d1"]]) is None  # nothing reduced
    assert order(["parallel", "reduction"], [["d0 * 2"]]) is None  # not indexed by the parallel loops


def test_inside_tiles_of_the_parallel_loops_the_reductions_go_outside_the_outputs_last_two_loops():
    mm = plan(["parallel", "parallel", "reduction"], [["d0", "d1"]])  # matmul: 8 x 64 tiles of C, then k, i, j
    assert mm.tiles == [P_TILE, Q_TILE, 0] and mm.order == [2, 0, 1]
    pool = plan(["parallel"] * 4 + ["reduction"] * 2, [["d0", "d1", "d2", "d3"]])  # NCHW pooling
    assert pool.tiles == [1, 1, P_TILE, Q_TILE, 0, 0] and pool.order == [0, 1, 4, 5, 2, 3]
    rows = plan(["parallel", "reduction"], [["d0"]])  # a row sum: 64 rows at a time, each column step across them
    assert rows.tiles == [Q_TILE, 0] and rows.order == [1, 0]
    assert plan(["parallel", "reduction", "parallel"], [["d0", "d2"]]) is None


def test_the_reordered_matmul_gives_the_baselines_bits_on_every_input_class():
    fast = reordered(MATMUL)
    assert fast is not None and "linalg.generic" in fast
    naive, quick = compile_kernel(MATMUL), compile_kernel(fast)
    sig = naive.signature
    for p in inputs.plan(sig, 3, True):
        args = inputs.make_args(p, sig, 0, 29, [np.zeros((37, 23), np.float32)])
        x, y = [a.copy() for a in args], [a.copy() for a in args]
        with np.errstate(all="ignore"):
            naive(*x)
            quick(*y)
        assert reference._identical(x[2], y[2]), p.id  # bit for bit, a NaN for a NaN (which payload: unspecified)


def test_an_op_that_reads_its_own_output_is_left_alone():
    assert reordered(IN_PLACE) is None


# one buffer as two outputs, at (i, j) and at (j, i): element (a, b) is updated from the points (a, b, k) and (b, a, k)
TWICE = """module {
  func.func @k(%a: memref<70x29x70xf32>, %c: memref<70x70xf32>) {
    linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k, j)>, affine_map<(i, j, k) -> (i, j)>,
                                     affine_map<(i, j, k) -> (j, i)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a : memref<70x29x70xf32>) outs(%c, %c : memref<70x70xf32>, memref<70x70xf32>) {
    ^bb0(%x: f32, %z: f32, %w: f32):
      %s = arith.addf %z, %x : f32
      %m = arith.mulf %w, %x : f32
      linalg.yield %s, %m : f32, f32
    }
    return
  }
}
"""


def test_an_op_writing_one_buffer_as_two_outputs_is_left_alone():
    assert reordered(TWICE) is None  # (in tiles, reductions outermost, the two streams of updates interleave)


class _Session:
    def stage(self, *args):
        pass


def _reference(where: pathlib.Path, monkeypatch, over: float, baseline: str = MATMUL) -> dict:
    monkeypatch.setattr(reference, "REORDER_OVER_S", over)
    monkeypatch.setattr(reference, "REORDER_MIN_GAIN", 0.0)  # a tiny matmul: speed is not what is tested
    where.mkdir()
    job = {"baseline": baseline, "config": dataclasses.asdict(EvalConfig(random_sets=1, seed=0)), "dir": str(where),
           "skipped": {}, "done": [], "budget_s": 300.0}
    return reference.compute(_Session(), job)


# attention-style scores: each product scaled down before it is summed (the reach twin makes the scale 1)
SCALED = """module {
  func.func @scores(%q: memref<19x13xf32>, %k: memref<13x11xf32>, %s: memref<19x11xf32>) {
    %c = arith.constant 0.125 : f32
    linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (k, j)>,
                                     affine_map<(i, j, k) -> (i, j)>],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%q, %k : memref<19x13xf32>, memref<13x11xf32>) outs(%s : memref<19x11xf32>) {
    ^bb0(%x: f32, %y: f32, %acc: f32):
      %m = arith.mulf %x, %y : f32
      %t = arith.mulf %m, %c : f32
      %r = arith.addf %acc, %t : f32
      linalg.yield %r : f32
    }
    return
  }
}
"""


@pytest.mark.parametrize("baseline, kernels", [(MATMUL, ["base", "twin", "mag"]),
                                               (SCALED, ["base", "twin", "mag", "reach"])], ids=["matmul", "scaled"])
def test_the_reference_uses_the_reordered_build_with_the_same_files_bit_for_bit(tmp_path, monkeypatch, baseline,
                                                                                kernels):
    # every twin runs reordered too (a 1024 matmul's magnitude twin ran naive, ~6 s a pair, after the baseline's
    # and the exact twin's were reordered)
    fast = _reference(tmp_path / "fast", monkeypatch, 0.0, baseline)
    slow = _reference(tmp_path / "slow", monkeypatch, np.inf, baseline)
    assert fast["order"]["reordered"], fast["order"]
    assert fast["order"]["kernels"] == kernels and fast["reach"] == ("reach" in kernels)
    assert not slow["order"]["reordered"]
    assert fast["done"] == slow["done"] and fast["exact"] and slow["exact"]
    files = sorted(f.name for f in (tmp_path / "slow").glob("*.npy"))
    assert len(files) > 3 * len(slow["done"])
    for name in files:  # every argument, baseline output and twin's result, bit for bit (a NaN for a NaN: LLVM
        # leaves a NaN's payload unspecified; the naive build passed an input's on, the reordered gave the default)
        assert reference._identical(np.load(tmp_path / "fast" / name), np.load(tmp_path / "slow" / name)), name


def test_an_f64_kernels_reordered_twin_runs_in_extended_precision(tmp_path, monkeypatch):
    # the reordered twin of an f64 kernel takes 80-bit arguments: it had been handed float64 ones, and every
    # candidate of an f64 baseline slower than REORDER_OVER_S was refused as a crash
    info = _reference(tmp_path / "f64", monkeypatch, 0.0, MATMUL.replace("f32", "f64"))
    assert info["exact"] and info["exact_kind"] == "80-bit extended" and len(info["done"]) > 10, info["order"]
    # ... and is used: its bits were compared with the padding of the 16-byte long double (whatever memory
    # held), so an f64 kernel's reordered twin never matched
    assert info["order"]["reordered"] and info["order"]["kernels"] == ["base", "twin"], info["order"]


def test_a_reordered_build_that_disagrees_on_the_first_pair_is_not_used(tmp_path, monkeypatch):
    wrong = lambda text: reordered(text).replace("arith.addf", "arith.subf")  # noqa: E731
    monkeypatch.setattr(reference.reorder, "reordered", wrong)
    info = _reference(tmp_path / "wrong", monkeypatch, 0.0)
    assert not info["order"]["reordered"] and "differ" in info["order"]["why"]


FAST_MATH = """
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
module { func.func @mm(%A: memref<8x8xf32>, %B: memref<8x8xf32>, %C: memref<8x8xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%A, %B : memref<8x8xf32>, memref<8x8xf32>) outs(%C : memref<8x8xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y fastmath<reassoc> : f32
    %s = arith.addf %z, %m fastmath<reassoc> : f32
    linalg.yield %s : f32 }
  return } }
"""


def test_identical_is_bit_for_bit_but_for_which_nan():
    a = np.array([1.0, -0.0, np.nan], np.float32)
    payload = a.copy()
    payload.view(np.uint32)[2] |= 0x2527  # another quiet NaN
    assert reference._identical(a, payload)
    assert not reference._identical(a, np.array([1.0, 0.0, np.nan], np.float32))  # the sign of zero counts
    assert not reference._identical(a, np.array([1.0, -0.0, 0.0], np.float32))
    assert not reference._identical(np.arange(3), np.arange(3.0))
    x, y = np.zeros(4, np.longdouble), np.zeros(4, np.longdouble)
    x.view(np.uint8).reshape(4, -1)[:, -1] = 7  # padding bytes differ, the 80-bit values do not
    assert reference._identical(x, y) == (np.finfo(np.longdouble).nmant == 63)


def test_a_kernel_with_fast_math_flags_keeps_its_order():
    # reassoc lets LLVM reorder the naive build's terms: the two orders would not be the same computation
    assert reordered(FAST_MATH) is None
    assert reordered(FAST_MATH.replace(" fastmath<reassoc>", "")) is not None
