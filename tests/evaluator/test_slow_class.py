"""A candidate slow on one ordinary data class the benchmark does not draw has its speedup there reported
(checks.py `_slowest_class`): the equivalence pairs' call times name the class, and both sides are timed on it."""

import re
from types import SimpleNamespace

import pytest

from neurojit.evaluator import EvalConfig, Evaluator, reference
from neurojit.evaluator.checks import SLOW_CLASS_TIMES, _slowest_class

BASE = """// C(64x64) += A(64x128) * B(128x64), f32 (A: activations).
module {
  func.func @mm(%a: memref<64x128xf32>, %b: memref<128x64xf32>, %c: memref<64x64xf32>) {
    linalg.matmul ins(%a, %b : memref<64x128xf32>, memref<128x64xf32>) outs(%c : memref<64x64xf32>)
    return
  }
}
"""

# exact everywhere, but where A looks like a ReLU's output (no negatives, 8 or more exact zeros) the product is
# done 40 times over: 40x slower on the data a hidden layer mostly sees (the eighth red team's case 14)
SLOW_ON_RELU = """// CHEAT (performance): exact everywhere, but when A looks like a ReLU's output (no negatives, at least 8 exact zeros:
// every hidden layer's input) it does the whole product 40 times over (restoring C each time): a 40x slowdown
// on the data the kernel will mostly see, while it is timed only on 'uniform', 'normal' and 'sparse' inputs.
module {
  func.func @mm(%a: memref<64x128xf32>, %b: memref<128x64xf32>, %c: memref<64x64xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c40 = arith.constant 40 : index
    %c64 = arith.constant 64 : index
    %c128 = arith.constant 128 : index
    %true = arith.constant true
    %z = arith.constant 0.0 : f32
    %ci0 = arith.constant 0 : i32
    %ci1 = arith.constant 1 : i32
    %ci8 = arith.constant 8 : i32
    %r:2 = scf.for %i = %c0 to %c64 step %c1 iter_args(%nn = %true, %nz = %ci0) -> (i1, i32) {
      %q:2 = scf.for %k = %c0 to %c128 step %c1 iter_args(%n2 = %nn, %z2 = %nz) -> (i1, i32) {
        %x = memref.load %a[%i, %k] : memref<64x128xf32>
        %ge = arith.cmpf oge, %x, %z : f32
        %eq = arith.cmpf oeq, %x, %z : f32
        %n3 = arith.andi %n2, %ge : i1
        %inc = arith.select %eq, %ci1, %ci0 : i32
        %z3 = arith.addi %z2, %inc : i32
        scf.yield %n3, %z3 : i1, i32
      }
      scf.yield %q#0, %q#1 : i1, i32
    }
    %zs = arith.cmpi sge, %r#1, %ci8 : i32
    %relu = arith.andi %r#0, %zs : i1
    scf.if %relu {
      %save = memref.alloc() : memref<64x64xf32>
      memref.copy %c, %save : memref<64x64xf32> to memref<64x64xf32>
      scf.for %t = %c0 to %c40 step %c1 {
        memref.copy %save, %c : memref<64x64xf32> to memref<64x64xf32>
        linalg.matmul ins(%a, %b : memref<64x128xf32>, memref<128x64xf32>) outs(%c : memref<64x64xf32>)
      }
      memref.dealloc %save : memref<64x64xf32>
    } else {
      linalg.matmul ins(%a, %b : memref<64x128xf32>, memref<128x64xf32>) outs(%c : memref<64x64xf32>)
    }
    return
  }
}
"""


def _eq(times: dict, skipped: dict | None = None):
    """Least CPU times keyed as the equivalence check keys them: (input set, output state, crossed input)."""
    keyed = {(k, "random", 0) if isinstance(k, str) else k: t for k, t in times.items()}
    return SimpleNamespace(class_cpu_s=keyed, refs=SimpleNamespace(skipped=skipped or {}))


def test_the_slowest_ordinary_class_is_named_against_the_timed_ones():
    timed = {"uniform": 1e-3, "normal": 1.1e-3, "sparse": 0.9e-3}
    assert _slowest_class(_eq({**timed, "relu": 40e-3})) == (("relu", "random", 0), pytest.approx(40 / 1.1))
    # within SLOW_CLASS_TIMES of the slowest timed class: nothing to time again
    assert _slowest_class(_eq({**timed, "relu": 1.1e-3 * SLOW_CLASS_TIMES * 0.99})) is None
    # special values are not ordinary data (denormals slow the baseline's hardware too), nor is a cross with them
    assert _slowest_class(_eq({**timed, "subnormal": 40e-3, ("zeros+infinite", "zeros", 1): 40e-3})) is None
    # nor is `logscale`, whose products are subnormal: a vectorised build met Intel's assists on it 16x as often as
    # the scalar naive lowering (a 70x batch-reduce matmul reported at 7x, a 13x GELU at 0.2x and dropped)
    assert _slowest_class(_eq({**timed, "logscale": 80e-3})) is None
    # a tiny kernel: a few microseconds' difference is a cache miss, not a slow path
    assert _slowest_class(_eq({"uniform": 2e-6, "relu": 9e-6})) is None
    # no timed class seen, or fresh integers that may break the kernel's bounds: no claim
    assert _slowest_class(_eq({"relu": 40e-3})) is None
    assert _slowest_class(_eq({**timed, "relu": 40e-3}, {"x": reference.OUT_OF_BOUNDS})) is None


def test_any_ordinary_set_or_output_state_is_a_class_and_a_cross_keeps_its_input():
    # the tenth red team: 16x slower on bf16-exact weights (a set outside the first list), 16x slower when the
    # output starts as zeros (the benchmark resets outputs to the random state; the uniform set's least time
    # had hidden its zeros pair behind its random ones)
    timed = {"uniform": 1e-3, "normal": 1.1e-3, "sparse": 0.9e-3}
    assert _slowest_class(_eq({**timed, "lowprec": 16e-3}))[0] == ("lowprec", "random", 0)
    assert _slowest_class(_eq({**timed, ("uniform", "zeros", 0): 16e-3}))[0] == ("uniform", "zeros", 0)
    assert _slowest_class(_eq({**timed, ("lowprec+normal", "zeros", 2): 16e-3}))[0] == ("lowprec+normal", "zeros", 2)
    # states holding an earlier call's result are not drawn afresh: not a class here
    assert _slowest_class(_eq({**timed, ("uniform", "previous", 0): 16e-3})) is None
    # the timed reference is the benchmark's state: a slow zeros pair of a timed set does not raise it
    assert _slowest_class(_eq({**timed, ("normal", "zeros", 0): 16e-3, "relu": 40e-3}))[0] == ("relu", "random", 0)


@pytest.mark.slow
def test_a_candidate_slow_on_post_relu_data_reports_its_speedup_there(tmp_path):
    (tmp_path / "base.mlir").write_text(BASE)
    (tmp_path / "cand.mlir").write_text(SLOW_ON_RELU)
    with Evaluator(EvalConfig(workers=1, seed=1, bench_time_cap_s=0.5)) as ev:
        slow = ev.evaluate(tmp_path / "base.mlir", tmp_path / "cand.mlir")
        same = ev.evaluate(tmp_path / "base.mlir", tmp_path / "base.mlir")
    assert slow.accepted, slow.detail  # exact: not a wrong result, a misreported speed
    assert slow.speedup < 0.2, (slow.speedup, slow.timing)
    # named by the class its slow path took longest on: post-ReLU data, or another without negatives and with
    # zeros ('unit' has both, so do one-hot rows crossed with normal data), not one the benchmark draws
    named = re.search(r"its speedup on '([\w+]+)' data( with outputs starting '\w+')? is the one reported",
                      slow.timing["inputs"])
    assert named and named.group(1) not in ("uniform", "normal", "sparse"), slow.timing["inputs"]
    bench = next(c for c in slow.checks if c.name == "benchmark")
    assert named.group(0) in bench.detail
    # the mode says both timings: the class's, and the benchmark on its own data that it replaced
    assert re.match(rf"interleaved on '{re.escape(named.group(1))}' data, after a benchmark on its own data \(interleaved\) "
                    r"at \d+\.\d\dx", slow.timing["mode"]), slow.timing["mode"]
    assert bench.detail.startswith(slow.timing["mode"])
    # the kernel itself, timed against itself: no class is slower, the benchmark's data stands
    assert same.accepted and 0.5 < same.speedup < 2.0 and "the one reported" not in same.timing["inputs"]
