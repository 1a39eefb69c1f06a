"""Reference outputs (evaluator/reference.py): the f64 twin, and the trusted process that computes them once."""

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

from neurojit.evaluator import EvalConfig, Evaluator
from neurojit.evaluator.pool import Reply
from neurojit.evaluator.record import Reason
from neurojit.evaluator.reference import References, _remove_stale
from neurojit.evaluator.twins import f64_twin

EW = """module {
  func.func @k(%x: memref<8xf32>, %out: memref<8xf32>) {
    %inf = arith.constant 0xFF800000 : f32
    %h = arith.constant 5.000000e-01 : f32
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"]} ins(%x : memref<8xf32>) outs(%out : memref<8xf32>) {
    ^bb0(%a: f32, %o: f32):
      %m = arith.mulf %a, %h : f32
      %r = arith.maximumf %m, %inf : f32
      linalg.yield %r : f32
    }
    return
  }
}
"""


def test_the_twin_widens_types_and_float_constants():
    twin = f64_twin(EW)
    assert "f32" not in twin and "memref<8xf64>" in twin
    assert "0xFFF0000000000000 : f64" in twin  # -Inf as an f64 hex literal
    assert "5.000000e-01 : f64" in twin


@pytest.mark.parametrize("text", [
    EW.replace("%m = arith.mulf %a, %h : f32", "%m0 = arith.mulf %a, %h : f32\n      %m = arith.bitcast %m0 : f32 to f32"),
    EW.replace("%h = arith.constant 5.000000e-01 : f32", "%h = arith.constant 5.000000e-01 : f32\n    %d = arith.constant dense<0x3F800000> : vector<4xf32>"),
    EW.replace("f32", "f64"),
])
def test_no_twin_where_widening_would_change_the_meaning(text):
    assert f64_twin(text) is None


DIV = """module {
  func.func @div(%x: memref<64xi32>, %y: memref<64xi32>, %out: memref<64xi32>) {
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"]} ins(%x, %y : memref<64xi32>, memref<64xi32>) outs(%out : memref<64xi32>) {
    ^bb0(%a: i32, %b: i32, %o: i32):
      %q = arith.divsi %a, %b : i32
      linalg.yield %q : i32
    }
    return
  }
}
"""


@pytest.mark.slow
def test_pairs_the_baseline_itself_crashes_on_are_skipped_and_named():
    # integer division: the zero sets divide by zero in the baseline (SIGFPE in the trusted process)
    with Evaluator(EvalConfig(workers=1, bench=False, random_sets=1)) as ev:
        v = ev.evaluate(DIV, DIV)
        info = next(iter(ev.pool.references.cache.values()))
    assert v.accepted, v.detail
    why = "the baseline itself fails a bounds check or crashes there"
    assert info["skipped"]["zeros-random"] == why
    eq = next(c for c in v.checks if c.name == "equivalence")
    assert "zeros-random" in eq.detail and why in eq.detail
    assert "negative-random" in info["done"] and "uniform-random" not in info["done"]


def test_a_twin_that_computes_something_else_is_not_used():
    # (x + 2^24) - 2^24 loses x in f32 but not in f64: the twin is not the baseline's exact result
    lossy = EW.replace("%m = arith.mulf %a, %h : f32", "%big = arith.constant 16777216.0 : f32\n"
                       "      %m0 = arith.addf %a, %big : f32\n      %m = arith.subf %m0, %big : f32")
    with Evaluator(EvalConfig(workers=1, bench=False, random_sets=1)) as ev:
        v = ev.evaluate(lossy, lossy)
        info = next(iter(ev.pool.references.cache.values()))
    assert v.accepted, v.detail
    assert not info["exact"] and "twin disagrees" in info["no_exact_why"]
    assert not any(p[0] == "limit" for p in info["pairs"])



def test_a_twin_is_kept_where_only_the_baseline_overflowed():
    import numpy as np

    from neurojit.evaluator.reference import _agrees
    exact = np.array([1.0, -2.0, 3e38, 5e40, 7.0])  # a row past f32's range, and one beyond it
    base = np.array([1.0, -2.0, np.inf, np.inf, np.nan], np.float32)  # the baseline's order overflowed at 3e38
    assert _agrees(base, exact, 1e-6)  # the same wherever both are finite: the same function
    assert not _agrees(base.copy() * np.float32(2), exact, 1e-6)  # another function where both are finite
    assert not _agrees(np.full(5, np.nan, np.float32), exact, 1e-6)  # nowhere to check it against
    assert _agrees(np.full(5, np.nan, np.float32), np.full(5, np.nan), 1e-6)  # NaN both: nothing says otherwise

GATHER = """module {
  func.func @gather(%table: memref<16xf32>, %idx: memref<32xi32>, %out: memref<32xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    scf.for %i = %c0 to %c32 step %c1 {
      %k = memref.load %idx[%i] : memref<32xi32>
      %j = arith.index_cast %k : i32 to index
      %v = memref.load %table[%j] : memref<16xf32>
      memref.store %v, %out[%i] : memref<32xf32>
    }
    return
  }
}
"""

# the same gather one row on (table[idx + 1]): arithmetic on the index, so no range is claimed for it
GATHER_NEXT = GATHER.replace("%v = memref.load %table[%j]", "%j1 = arith.addi %j, %c1 : index\n      %v = memref.load %table[%j1]")
# one row back (table[idx - 1]): no modulus keeps it in bounds (a 0 reads row -1)
GATHER_PREV = GATHER.replace("%v = memref.load %table[%j]", "%j1 = arith.subi %j, %c1 : index\n      %v = memref.load %table[%j1]")


def test_an_integer_input_only_used_as_a_subscript_is_an_index_into_that_extent():
    from mlir import ir

    from neurojit.compiler.kernel import parse_module, public_funcs
    from neurojit.evaluator.indices import index_extents

    def found(text):
        with ir.Context():
            module = parse_module(text)  # (kept alive while its function is read)
            return index_extents(public_funcs(module)[0], [0, 1])

    assert found(GATHER) == {1: 16}
    assert found(GATHER_NEXT) == {}  # idx + 1 indexes [1, 17): no claim
    assert found(GATHER.replace("memref.store %v, %out[%i]", "%kf = arith.sitofp %k : i32 to f32\n"
                                "      %w = arith.addf %v, %kf : f32\n      memref.store %w, %out[%i]")) == {}  # also data


def test_a_0d_index_input_stays_an_array():
    # np.mod of a 0-d array is a scalar, which no kernel takes: every pair had failed
    from types import SimpleNamespace

    import numpy as np

    from neurojit.evaluator import inputs

    sig = SimpleNamespace(args=[SimpleNamespace(role="in", shape=(64,), dtype="float32"),
                                SimpleNamespace(role="in", shape=(), dtype="int32"),
                                SimpleNamespace(role="out", shape=(), dtype="float32")])
    args = inputs.make_args(inputs.Pair("wrap", "random"), sig, 0, 1, ranges={1: 64})
    assert isinstance(args[1], np.ndarray) and args[1].shape == () and 0 <= int(args[1]) < 64


@pytest.mark.slow
def test_an_index_input_stays_in_range_and_its_table_gets_every_value_class():
    # drawn as any integers, most indices broke the gather's precondition, the pair was skipped with its
    # float table, and a red-team candidate reading table[idx & 15]... of 64 rows was judged on 3 pairs
    low_bits = GATHER.replace("%j = arith.index_cast %k : i32 to index", "%c7 = arith.constant 7 : i32\n"
                              "      %k7 = arith.andi %k, %c7 : i32\n      %j = arith.index_cast %k7 : i32 to index")
    with Evaluator(EvalConfig(workers=1, bench=False, random_sets=1)) as ev:
        ok = ev.evaluate(GATHER, GATHER)
        info = next(iter(ev.pool.references.cache.values()))
        cut = ev.evaluate(GATHER, low_bits)
    assert ok.accepted and not info["skipped"], (ok.detail, info["skipped"])
    assert info["index_ranges"] == {"1": 16} and "wide-random" in info["done"] and "nan-random" in info["done"]
    assert not cut.accepted and cut.reason is Reason.WRONG_RESULT, cut.detail


@pytest.mark.slow
def test_an_index_through_arithmetic_takes_the_largest_modulus_the_baseline_stays_in_bounds_with():
    # table[idx + 1] of 16 rows: probed, the index input takes its values modulo 15; no pair is skipped, and a
    # candidate reading table[min(idx, 7) + 1] (red team: right on the few pairs left) is refused
    clamped = GATHER_NEXT.replace("%j1 = arith.addi %j, %c1 : index", "%c7 = arith.constant 7 : index\n"
                                  "      %jm = arith.minsi %j, %c7 : index\n      %j1 = arith.addi %jm, %c1 : index")
    with Evaluator(EvalConfig(workers=1, bench=False, random_sets=1)) as ev:
        ok = ev.evaluate(GATHER_NEXT, GATHER_NEXT)
        info = next(iter(ev.pool.references.cache.values()))
        cut = ev.evaluate(GATHER_NEXT, clamped)
    assert ok.accepted and not info["skipped"] and info["index_ranges"] == {"1": 15}, (ok.detail, info["skipped"])
    assert not cut.accepted and cut.reason is Reason.WRONG_RESULT, cut.detail


@pytest.mark.slow
def test_pairs_whose_integers_send_the_baseline_out_of_bounds_are_skipped():
    # a gather of idx - 1: indices outside [1, 17) break the kernel's own precondition, not a candidate's
    # correctness, and no modulus avoids a 0
    with Evaluator(EvalConfig(workers=1, bench=False, random_sets=1)) as ev:
        v = ev.evaluate(GATHER_PREV, GATHER_PREV)
        info = next(iter(ev.pool.references.cache.values()))
    assert v.accepted, v.detail
    assert "the baseline itself fails a bounds check or crashes there" in info["skipped"].values()
    assert "positive-random" in info["done"] and not info["index_ranges"]


@pytest.mark.slow
def test_a_gather_is_timed_on_the_arguments_it_stays_in_bounds_on():
    # on fresh uniform indices (negative ones) both sides read past the table, each its own garbage: that
    # was taken for a result that depends on earlier calls (caches_result, on torch's embedding gather)
    with Evaluator(EvalConfig(workers=1, random_sets=1, bench_time_cap_s=0.2)) as ev:
        v = ev.evaluate(GATHER_PREV, GATHER_PREV)
        plain = ev.evaluate(GATHER, GATHER)
    assert v.accepted and v.speedup is not None, v.detail
    assert "timed on the integer arguments of inputs '" in next(c for c in v.checks if c.name == "benchmark").detail
    # an index input's fresh values are drawn in range
    assert plain.accepted and "fresh 'uniform', 'normal', 'sparse' inputs" in next(
        c for c in plain.checks if c.name == "benchmark").detail


def test_a_pair_the_reference_process_dies_or_hangs_on_is_skipped_and_the_rest_resumed():
    class Dying:  # stands in for the reference process: skips s itself, finishes a, dies on pair b while h's
        # results were still being written (its baseline outputs there, no marker), then finishes
        def __init__(self):
            self.jobs = []

        def exchange(self, job):
            self.jobs.append(dict(job))
            if len(self.jobs) == 1:
                for name in ("a.0.base.npy", "a.done", "h.0.base.npy"):
                    (pathlib.Path(job["dir"]) / name).write_bytes(b"")
                return Reply(None, "reference", "pair b", ["s", "a", "h", "b"], Reason.CRASH, "died (signal SIGSEGV)",
                             "")
            return Reply({"pairs": [["x", "random", 0]], "skipped": job["skipped"], "done": job["done"] + ["c"]},
                         "reference", "", [])

        def kill(self):
            pass

    refs = References(EvalConfig(), lambda config: Dying())
    info = refs.for_job({"baseline": "module {}", "config": {}})
    assert refs.worker.jobs[1]["done"] == ["a"]
    assert info["skipped"] == {"b": "the baseline itself died (signal SIGSEGV) there"} and info["done"] == ["a", "c"]
    assert refs.for_job({"baseline": "module {}", "config": {}}) is info and len(refs.worker.jobs) == 2  # once
    refs.close()


def test_an_exception_in_the_reference_process_is_an_error_not_a_skipped_pair():
    # exit code 1 is Python's, not a baseline's crash (a signal): a 0-d output's magnitudes once raised on
    # every pair but those of one state, all skipped as "the baseline itself died", and the candidate was
    # judged on the 6 left
    class Raising:
        def exchange(self, job):
            return Reply(None, "reference", "pair a", ["a"], Reason.CRASH, "died (exit code 1)",
                         "the worker died (exit code 1) during 'reference'; it printed: CallError: ...")

        def kill(self):
            pass

    refs = References(EvalConfig(), lambda config: Raising())
    with pytest.raises(RuntimeError, match="the reference process failed .*CallError"):
        refs.for_job({"baseline": "module {}", "config": {}})
    refs.close()


def test_a_kernel_into_a_0d_output_is_checked_on_every_pair():
    dot = (pathlib.Path(__file__).parents[1] / "agent" / "kernels" / "dot.mlir").read_text()
    with Evaluator(EvalConfig(workers=1, bench=False, random_sets=1)) as ev:
        v = ev.evaluate(dot, dot)
        info = next(iter(ev.pool.references.cache.values()))
    assert v.accepted and not info["skipped"] and info["magnitude"] and info["exact"], v.detail


def test_a_baseline_whose_references_fail_fails_once_and_the_next_baseline_still_gets_its_own():
    class Failing:  # the first baseline's reference process dies while compiling; the second's finishes
        def __init__(self):
            self.jobs = []

        def exchange(self, job):
            self.jobs.append(dict(job))
            if job["baseline"] == "bad":
                return Reply(None, "reference_compile", "", [], Reason.CRASH, "died (signal SIGABRT)", "")
            return Reply({"pairs": [["x", "random", 0]], "skipped": {}, "done": ["x"]}, "reference", "", [])

        def kill(self):
            pass

    refs = References(EvalConfig(), lambda config: Failing())
    for _ in range(2):  # told the same, computed once (a compile that dies is tried again without twins)
        with pytest.raises(RuntimeError, match="reference_compile"):
            refs.for_job({"baseline": "bad", "config": {}})
    assert len(refs.worker.jobs) == 2 and refs.worker.jobs[1]["plain"] and not refs.worker.jobs[0].get("plain")
    # its folder is not reused (was: [Errno 17] File exists, for every later baseline)
    assert refs.for_job({"baseline": "good", "config": {}})["done"] == ["x"]
    assert refs.worker.jobs[0]["dir"] != refs.worker.jobs[2]["dir"]
    refs.close()


def test_reference_folders_of_dead_processes_are_removed():
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tempfile.mkdtemp(prefix=f"neurojit-ref-{dead.pid}-")
    mine = tempfile.mkdtemp(prefix=f"neurojit-ref-{os.getpid()}-")
    _remove_stale()
    assert not os.path.exists(stale) and os.path.exists(mine)
    shutil.rmtree(mine)


@pytest.mark.parametrize("body, made", [
    ("%m = arith.mulf %a, %b : f32\n %s = arith.subf %m, %a : f32", True),  # sums, differences, products
    ("%c = arith.constant -2.0 : f32\n %m = arith.mulf %a, %c : f32\n %s = arith.maximumf %m, %b : f32", True),
    # by an input's element: the twin has its magnitude exactly (a triangular solve's diagonal); by a computed
    # value or by the output's element (written), a bound from above of the divisor's: nothing
    ("%s = arith.divf %a, %b : f32", True),
    ("%d = arith.addf %a, %b : f32\n %s = arith.divf %a, %d : f32", False),
    ("%s = arith.divf %a, %out : f32", False),
    ("%e = math.exp %a : f32\n %s = arith.addf %e, %b : f32", False),
    # min(|a|, |b|) may be below |min(a, b)|: a minimum or a select is the larger of the two magnitudes
    ("%s = arith.minimumf %a, %b : f32", True),
    ("%p = arith.cmpf ogt, %a, %b : f32\n %s = arith.select %p, %a, %b : f32", True),
    ("%c = arith.constant -3.0 : f32\n %s = arith.divf %a, %c : f32", True),  # |a| / 3
    ("%c = arith.constant 0xFF800000 : f32\n %s = arith.maximumf %a, %c : f32", True),  # exact: no bound of its own
    ("%c = arith.constant 6.0 : f32\n %m = arith.minimumf %a, %c : f32\n %s = arith.addf %m, %b : f32", True),
    ("%p = arith.cmpf ogt, %a, %b : f32\n %i = arith.select %p, %a, %b : f32\n"
     " %s = scf.if %p -> f32 { scf.yield %a : f32 } else { scf.yield %i : f32 }", False),  # it steers a branch
])
def test_the_magnitude_twin_is_made_only_of_sums_differences_products_and_maxima(body, made):
    from neurojit.evaluator.twins import f64_twin, magnitude_twin

    text = ("func.func @k(%x: memref<8xf32>, %y: memref<8xf32>, %o: memref<8xf32>) {\n"
            " linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],"
            " iterator_types = [\"parallel\"]} ins(%x, %y : memref<8xf32>, memref<8xf32>) outs(%o : memref<8xf32>) {\n"
            " ^bb0(%a: f32, %b: f32, %out: f32):\n " + body + "\n linalg.yield %s : f32\n }\n return\n}")
    twin = magnitude_twin(f64_twin(text))
    assert (twin is not None) == made
    if made:
        assert "subf" not in twin and "-2.0" not in twin and "-3.0" not in twin and "f32" not in twin
        assert "select" not in twin and "minimumf" not in twin and "0xFFF" not in twin and "6.0" not in twin


@pytest.mark.parametrize("body, reach", [
    ("%c = arith.constant 0.125 : f32\n %m = arith.mulf %a, %b : f32\n %s = arith.mulf %m, %c : f32", True),
    ("%c = arith.constant 8.0 : f32\n %m = arith.mulf %a, %b : f32\n %s = arith.divf %m, %c : f32", True),
    ("%c = arith.constant 8.0 : f32\n %m = arith.mulf %a, %b : f32\n %s = arith.mulf %m, %c : f32", False),  # up
    ("%m = arith.mulf %a, %b : f32\n %s = arith.addf %m, %a : f32", False),  # nothing scales down
    ("%m = arith.mulf %a, %b : f32\n %s = arith.divf %m, %b : f32", True),  # by an input's element: min(|b|, 1)
])
def test_the_reach_twin_makes_constants_that_scale_down_one(body, reach):
    """Where a constant scales a value down, the output's magnitude no longer bounds what the value passed
    through (a sum that overflows before x 0.125): the reach twin makes such a constant 1, nothing else."""
    from neurojit.evaluator.twins import f64_twin, magnitude_twin, reach_twin

    text = ("func.func @k(%x: memref<8xf32>, %y: memref<8xf32>, %o: memref<8xf32>) {\n"
            " linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],"
            " iterator_types = [\"parallel\"]} ins(%x, %y : memref<8xf32>, memref<8xf32>) outs(%o : memref<8xf32>) {\n"
            " ^bb0(%a: f32, %b: f32, %out: f32):\n " + body + "\n linalg.yield %s : f32\n }\n return\n}")
    twin = reach_twin(magnitude_twin(f64_twin(text)))
    assert (twin is not None) == reach
    if reach:
        assert "1.000000e+00 : f64" in twin and "1.250000e-01" not in twin and "8.000000e+00" not in twin
        assert ("arith.minimumf" in twin) == ("arith.divf %m, %b" in body)


def test_an_f64_kernels_exact_twin_is_in_x86_extended_precision():
    """f64 kernels had no exact reference (the baseline stood in: a candidate closer to the exact value than
    the baseline was refused on a cancelling sum); their twin is in f80, hex constants widened exactly."""
    import numpy as np

    from neurojit.evaluator.twins import exact_twin, f80_twin

    text = ("func.func @k(%x: memref<4xf64>, %o: memref<4xf64>) {\n"
            " %inf = arith.constant 0x7FF0000000000000 : f64\n %h = arith.constant 1.5 : f64\n"
            " linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],"
            " iterator_types = [\"parallel\"]} ins(%x : memref<4xf64>) outs(%o : memref<4xf64>) {\n"
            " ^bb0(%a: f64, %out: f64):\n %m = arith.mulf %a, %h : f64\n %s = arith.minnumf %m, %inf : f64\n"
            " linalg.yield %s : f64\n }\n return\n}")
    twin = f80_twin(text)
    assert "f64" not in twin and "0x7FFF8000000000000000 : f80" in twin and "1.5 : f80" in twin
    assert exact_twin(text, {"float64"})[1] == {"float64": np.longdouble}
    assert exact_twin(text.replace("f64", "f32").replace("0x7FF0000000000000", "0x7F800000"), {"float32"})[0]
    assert f80_twin(text.replace("%s = arith.minnumf %m, %inf", "%s = arith.bitcast %m")) is None
    # IEEE minimum/maximum on f80 abort LLVM (the reference process died on an f64 max pooling): they are
    # expanded into compares and selects first (arith-expand), named ops generalised
    twin = f80_twin(text.replace("arith.minnumf %m, %inf", "arith.minimumf %m, %a"))
    assert twin is not None and "minimumf" not in twin and "arith.select" in twin and "f64" not in twin


MIXED = """func.func @k(%x: memref<4xf32>, %h: memref<4xf16>, %o: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                  iterator_types = ["parallel"]} ins(%x, %h : memref<4xf32>, memref<4xf16>) outs(%o : memref<4xf32>) {
  ^bb0(%a: f32, %b: f16, %out: f32):
    %a64 = arith.extf %a : f32 to f64
    %b64 = arith.extf %b : f16 to f64
    %m = arith.mulf %a64, %b64 : f64
    %r = arith.truncf %m : f64 to f32
    linalg.yield %r : f32
  }
  return
}"""


def test_a_mixed_precision_kernels_twin_keeps_its_wide_values():
    # computed in f64 and rounded to f32 once: the twin keeps the f64 value (no conversion left between
    # f64 and f64), and an f16 input is still converted (to f64)
    twin = f64_twin(MIXED)
    assert twin is not None and "f32" not in twin and "arith.truncf" not in twin
    assert "f16 to f64" in twin
    assert twin.count("builtin.unrealized_conversion_cast") == 2
    assert f64_twin(MIXED.replace("%a64 = arith.extf %a : f32 to f64", "%a64 = arith.bitcast %a : f32 to i32")) is None


def test_a_rounding_to_a_half_type_goes_through_f32_in_the_twin():
    # LLVM lowers a direct f64 -> f16 rounding to __truncdfhf2, which the JIT cannot link: no twin at all
    text = MIXED.replace("%r = arith.truncf %m : f64 to f32", "%q = arith.truncf %m : f64 to f32\n"
                         "    %h16 = arith.truncf %q : f32 to f16\n    %r = arith.extf %h16 : f16 to f32")
    twin = f64_twin(text)
    assert twin is not None and "f64 to f16" not in twin
    assert "arith.truncf %nj_half0 : f32 to f16" in twin and "= arith.truncf %q : f64 to f32" in twin


def test_embedded_weights_in_hex_are_widened_exactly():
    import numpy as np

    w = np.array([0.1, -2.5, 3e-30, 7.0], np.float32)
    blob = w.astype("<f4").tobytes().hex().upper()
    text = (f'memref.global "private" constant @w : memref<4xf32> = dense<"0x{blob}">\n'
            f'memref.global "private" constant @i : memref<2xi32> = dense<"0x0100000002000000">\n'
            + MIXED)
    twin = f64_twin(text)
    assert twin is not None and 'dense<"0x0100000002000000">' in twin  # integer data kept
    wide = twin.split('@w : memref<4xf64> = dense<"0x')[1].split('"')[0]
    assert np.array_equal(np.frombuffer(bytes.fromhex(wide), "<f8"), w.astype(np.float64))
    # a constant whose type is written after it
    const = f'%c = arith.constant dense<"0x{blob}"> : tensor<4xf32>'
    assert f"dense<\"0x{w.astype('<f8').tobytes().hex().upper()}\"> : tensor<4xf64>" in f64_twin(const)


def test_an_overflow_reaches_the_output_through_sums_maxima_and_selects_that_are_maxima():
    from neurojit.evaluator.twins import overflow_reaches_output

    relu = """func.func @f(%x: f64, %y: f64) -> f64 {
  %z = arith.constant 0.0 : f64
  %c = arith.cmpf ugt, %x, %z : f64
  %s = arith.select %c, %x, %z : f64
  return %s : f64
}"""
    assert overflow_reaches_output(relu)  # torch-mlir's ReLU: max(x, 0)
    assert overflow_reaches_output(relu.replace("ugt", "olt").replace("select %c, %x, %z", "select %c, %z, %x"))
    # a minimum keeps an overflowing arm out of the result: min(x, 0) written either way, or a select on
    # another comparison
    assert not overflow_reaches_output(relu.replace("ugt", "ult"))
    assert not overflow_reaches_output(relu.replace("select %c, %x, %z", "select %c, %z, %x"))
    assert not overflow_reaches_output(relu.replace("cmpf ugt, %x, %z", "cmpf ugt, %x, %y"))
    assert not overflow_reaches_output(relu.replace("arith.select %c, %x, %z", "arith.minimumf %x, %z"))


_FORK_AFTER_GARBAGE = r'''
import gc, sys
import numpy as np
from mlir import ir
from neurojit.compiler.build import lower_parsed, parse_kernel
from neurojit.compiler.jit import CompiledKernel
from neurojit.evaluator.trial import survives

TEXT = """module {
  func.func @k(%x: memref<8xi32>, %out: memref<8xi32>) {
    linalg.copy ins(%x : memref<8xi32>) outs(%out : memref<8xi32>)
    return
  }
}"""
def kernel():  # its own context, whose thread pool ran the lowering's per-function passes
    return CompiledKernel(lower_parsed(parse_kernel(TEXT, ir.Context())))
old = kernel()
old.cycle = old  # garbage only a collection frees (as a kernel is, through its bound methods)
del old
live = kernel()
gc.set_threshold(1)  # the next allocation collects: in the child, were it allowed to
sys.exit(0 if survives(live, [np.arange(8, dtype=np.int32), np.zeros(8, np.int32)]) else 3)
'''


def test_a_forked_trial_run_does_not_destroy_mlir_contexts_of_earlier_kernels():
    """The trial runs' forked child collects no garbage: an earlier kernel's MLIR context destroyed there waits
    on thread-pool threads that exist only in the parent (seen: every pair of an integer matmul's checked
    build died of SIGSEGV in the long-lived reference process, and the baseline was refused)."""
    proc = subprocess.run([sys.executable, "-c", _FORK_AFTER_GARBAGE], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_references_prepared_in_the_background_are_the_ones_evaluations_use(tmp_path):
    from neurojit.compiler.kernel import load_kernel
    from neurojit.compiler.source import Source

    kernel = load_kernel(Source(EW, "ew.mlir"))
    with Evaluator(EvalConfig(workers=1, random_sets=1, bench=False)) as ev:
        ev.prepare(kernel)
        deadline = time.monotonic() + 120
        while not ev.pool.references.cache and time.monotonic() < deadline:
            time.sleep(0.05)
        (info,) = ev.pool.references.cache.values()  # computed once, before any evaluation asked
        assert ev.evaluate(kernel, EW).accepted
        assert list(ev.pool.references.cache.values()) == [info]


def test_an_evaluator_closed_while_its_references_compute_leaves_no_process():
    from support.paths import KERNELS

    ev = Evaluator(EvalConfig(workers=1))
    kernel = ev._baseline(KERNELS / "matmul_1024.mlir")  # references that take ~30 s
    ev.prepare(kernel)
    deadline = time.monotonic() + 60
    while ev.pool.references.worker is None or ev.pool.references.worker.proc is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    pid = ev.pool.references.worker.proc.pid
    ev.close()
    time.sleep(1.0)  # the thread meets the closed flag: no worker started again
    w = ev.pool.references.worker
    assert w.proc is None or w.proc.poll() is not None
    assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"


def test_the_magnitude_twin_takes_inlined_weights_by_their_magnitudes():
    """Weights inlined as dense constants (a hex blob once large, a list once small) enter the magnitude twin
    as their absolute values: left signed, |x| W cancelled like the result did, and a correct reassociation of
    a matmul by them was refused (corpus 319). An exponent's sign stays; an integer table is left alone."""
    import struct

    from neurojit.evaluator.twins import _dense_magnitudes

    blob = struct.pack("<3d", -1.5, 2.0, -0.0).hex().upper()
    text = (f'memref.global "private" constant @w : memref<3xf64> = dense<"0x{blob}">\n'
            "%c = arith.constant dense<[[-1.0e-05, 2.5E-3], [-7.0, 0.0]]> : tensor<2x2xf64>\n"
            "%i = arith.constant dense<[-1, 2]> : tensor<2xi64>\n")
    out = _dense_magnitudes(text)
    assert f'dense<"0x{struct.pack("<3d", 1.5, 2.0, 0.0).hex().upper()}">' in out
    assert "dense<[[1.0e-05, 2.5E-3], [7.0, 0.0]]> : tensor<2x2xf64>" in out
    assert "dense<[-1, 2]> : tensor<2xi64>" in out
    assert _dense_magnitudes("%c = foo dense<[-1.0]>") is None  # no type to tell it by


SOFTPLUS = """module {
  func.func @softplus(%x: memref<6xf32>, %out: memref<6xf32>) {
    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"]} ins(%x : memref<6xf32>) outs(%out : memref<6xf32>) {
    ^bb0(%a: f32, %o: f32):
      %one = arith.constant 1.000000e+00 : f32
      %e = math.exp %a : f32
      %s = arith.addf %one, %e : f32
      %l = math.log %s : f32
      linalg.yield %l : f32
    }
    return
  }
}
"""


def test_where_the_f64_twin_overflows_the_f80_twin_knows_the_value_or_no_reference_does():
    import numpy as np

    from neurojit.compiler import compile_kernel
    from neurojit.evaluator.reference import _in_range
    from neurojit.evaluator.twins import range_twin

    text80 = range_twin(SOFTPLUS)
    assert "xf80>" in text80 and "f32" not in text80
    twin64, twin80 = compile_kernel(f64_twin(SOFTPLUS)), _twin_build(text80)
    x = np.array([1.0, 80.0, 100.0, 1000.0, 1e5, 2.0], np.float32)
    base = [x, np.zeros(6, np.float32)]
    compile_kernel(SOFTPLUS)(*base)  # the baseline: Inf from x = 100 on
    wide = [x.astype(np.float64), np.zeros(6)]
    twin64(*wide)
    assert np.isinf(wide[1][3:5]).all() and np.isfinite(wide[1][:3]).all()
    unknown = _in_range(twin80, [x, np.zeros(6, np.float32)], wide, [1], base)
    np.testing.assert_allclose(wide[1][3], 1000.0)  # log(1 + exp(1000)): f80's exp reaches 1e434
    assert np.isinf(wide[1][4]) and unknown[0].tolist() == [False, False, False, False, True, False]
    np.testing.assert_allclose(wide[1][[0, 1, 2, 5]], np.log1p(np.exp(x[[0, 1, 2, 5]].astype(np.float64))))
    # an Inf among the arguments: whatever it gives stays required (no unknown elements)
    y = x.copy()
    y[0] = np.inf
    base = [y, np.zeros(6, np.float32)]
    compile_kernel(SOFTPLUS)(*base)
    wide = [y.astype(np.float64), np.zeros(6)]
    twin64(*wide)
    assert _in_range(twin80, [y, np.zeros(6, np.float32)], wide, [1], base) == [None]
    # NaN from a domain error (log of a negative sum), nothing overflowed: required as before, not unknown
    z = np.array([-2.0, 1.0, -5.0, 0.5, -1.5, 2.0], np.float32)
    plain = SOFTPLUS.replace("%e = math.exp %a", "%e = arith.negf %a").replace("arith.addf %one, %e", "arith.subf %e, %one")
    base = [z, np.zeros(6, np.float32)]
    compile_kernel(plain)(*base)
    wide = [z.astype(np.float64), np.zeros(6)]
    compile_kernel(f64_twin(plain))(*wide)
    assert np.isnan(wide[1][1]) and np.isnan(base[1][1])  # log(-1 - 1)
    assert _in_range(_twin_build(range_twin(plain)), [z, np.zeros(6, np.float32)], wide, [1], base) == [None]


def _twin_build(text: str):
    """A twin compiled as the reference process builds it (arguments of x86's f80 taken too)."""
    from neurojit.evaluator.reference import build

    return build(text, "<twin>")[0]


def test_the_first_call_is_a_timing_sample_only_where_the_machine_was_otherwise_idle():
    """reference._quiet: a long first call on its own thread, the rest of the machine busy for at most a tenth of
    it, is a sample [seconds, when it ended] for the pool to seed its slow baseline's samples with; not a short
    call, one preempted (its thread's CPU time short of its wall time), nor one beside other work."""
    from neurojit.evaluator.reference import _busy_s, _quiet

    assert _busy_s() is not None and _busy_s() > 0  # /proc/stat on these machines
    got = _quiet(7.0, 6.99, 100.0, 100.0 + 6.99 + 0.6)  # (workers starting beside it)
    assert got is not None and got[0] == 7.0 and abs(got[1] - time.perf_counter()) < 1.0
    assert _quiet(7.0, 6.99, 100.0, 100.0 + 6.99 + 1.0) is None  # the rest busy for 14% of it
    assert _quiet(7.0, 6.0, 100.0, 106.0) is None  # the call's own thread was preempted
    assert _quiet(0.2, 0.2, 100.0, 100.2) is None  # too short to say
    assert _quiet(7.0, 7.0, None, None) is None  # no /proc/stat


def test_a_first_call_that_may_be_a_sample_waits_for_the_machine_to_go_quiet(monkeypatch):
    """reference._await_quiet: beside other work it waits out its limit; on an idle machine (no core busy over a
    window: /proc/stat's counters standing still) it returns after one window."""
    import subprocess
    import sys

    from neurojit.evaluator import reference

    busy = subprocess.Popen([sys.executable, "-c", "import time\nt = time.time()\nwhile time.time() - t < 20: pass"])
    try:
        time.sleep(0.2)  # (running)
        t0 = time.perf_counter()
        reference._await_quiet(0.6)
        assert time.perf_counter() - t0 >= 0.6 - 1e-3  # a core busy all along: never quiet
    finally:
        busy.kill()
        busy.wait()
    monkeypatch.setattr(reference, "_busy_s", lambda: 100.0)  # counters standing still: nothing ran
    t0 = time.perf_counter()
    reference._await_quiet(5.0)
    assert time.perf_counter() - t0 < 5.0 - reference.QUIET_WINDOW_S
