"""The O0 build runs every parallel loop last iteration first (evaluator/task_order.py): the same iterations,
mirrored, whatever the bounds and steps. (Corpus 317-318: a task reading another task's write is refused,
independent tasks pass.)"""

from __future__ import annotations

import numpy as np
import pytest
from mlir import ir

from neurojit.compiler import compile_kernel
from neurojit.compiler.kernel import parse_module
from neurojit.evaluator.task_order import reverse_parallel_loops

# each iteration appends its induction variables to a log (its length in log[0]): the order iterations ran in
KERNEL = """func.func @order(%n: memref<4xi64>, %log: memref<200xi64> {neurojit.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %lb = arith.constant 2 : index
  %ub = arith.constant 9 : index
  %st = arith.constant 3 : index
  %one = arith.constant 1 : i64
  LOOP
  return
}"""


def _append(iv: str, t: str) -> str:
    return f"""
    %c{t} = memref.load %log[%c0] : memref<200xi64>
    %i{t} = arith.index_cast %c{t} : i64 to index
    %s{t} = arith.addi %i{t}, %c1 : index
    %v{t} = arith.index_cast {iv} : index to i64
    memref.store %v{t}, %log[%s{t}] : memref<200xi64>
    %n{t} = arith.addi %c{t}, %one : i64
    memref.store %n{t}, %log[%c0] : memref<200xi64>
"""


# static and dynamic bounds, steps other than 1, lower bounds other than 0
FORALL = "scf.forall (%i, %j) = (3, %lb) to (64, %ub) step (5, %st) {" + _append("%i", "a") + _append("%j", "b") + "  }"
PARALLEL = "scf.parallel (%i) = (%lb) to (%ub) step (%st) {" + _append("%i", "a") + "    scf.reduce\n  }"


def _run(text: str, reverse: bool) -> list[int]:
    if reverse:
        with ir.Context(), ir.Location.unknown():
            module = parse_module(text, "order")
            assert reverse_parallel_loops(module) == 1
            text = str(module)
    log = np.zeros(200, np.int64)
    compile_kernel(text)(np.zeros(4, np.int64), log)
    return [int(v) for v in log[1:1 + log[0]]]


@pytest.mark.parametrize("loop, width, trips", [(FORALL, 2, 13 * 3), (PARALLEL, 1, 3)], ids=["forall", "parallel"])
def test_the_iterations_run_mirrored(loop, width, trips):
    text = KERNEL.replace("LOOP", loop)
    forward, backward = _run(text, False), _run(text, True)
    rows = [tuple(forward[k:k + width]) for k in range(0, len(forward), width)]
    assert len(rows) == trips and len(set(rows)) == trips
    assert [tuple(backward[k:k + width]) for k in range(0, len(backward), width)] == rows[::-1]
