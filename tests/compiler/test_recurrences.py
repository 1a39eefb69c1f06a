"""What a loop carries joins each sum last, in loops a schedule marked (compiler/recurrences.py)."""

import numpy as np
from mlir import ir

from neurojit.compiler import compile_kernel
from neurojit.compiler.kernel import walk
from neurojit.compiler.recurrences import MARK, RECIPROCAL, carried_chains, reassociate

SWEEP = """module {
  func.func @sweep(%A: memref<6x9xf64> {neurojit.output}, %W: memref<1xf64>) {
    %w = affine.load %W[0] : memref<1xf64>
    affine.for %i = 1 to 5 {
      affine.for %j = 1 to 8 {
        %up = affine.load %A[%i - 1, %j] : memref<6x9xf64>
        %left = affine.load %A[%i, %j - 1] : memref<6x9xf64>
        %here = affine.load %A[%i, %j] : memref<6x9xf64>
        %right = affine.load %A[%i, %j + 1] : memref<6x9xf64>
        %down = affine.load %A[%i + 1, %j] : memref<6x9xf64>
        %s1 = arith.addf %up, %left : f64
        %s2 = arith.addf %s1, %here : f64
        %s3 = arith.addf %s2, %right : f64
        %s4 = arith.addf %s3, %down : f64
        %r = arith.divf %s4, %w : f64
        affine.store %r, %A[%i, %j] : memref<6x9xf64>
      }
    }
    return
  }
}
"""

FILTER = """module {
  func.func @iir(%x: memref<50xf32>, %y: memref<50xf32> {neurojit.output}) {
    %a = arith.constant 0.5 : f32
    %z = arith.constant 0.0 : f32
    %last = affine.for %i = 0 to 50 iter_args(%prev = %z) -> f32 {
      %xi = affine.load %x[%i] : memref<50xf32>
      %fb = arith.mulf %a, %prev : f32
      %t1 = arith.addf %fb, %xi : f32
      %t2 = arith.addf %t1, %a : f32
      %q = arith.divf %t2, %xi : f32
      affine.store %t2, %y[%i] : memref<50xf32>
      affine.yield %t2 : f32
    }
    return
  }
}
"""


def _marked(text: str, reciprocal: int | None = None) -> ir.Module:
    m = ir.Module.parse(text)
    for op in walk(m.operation):
        if op.name == "affine.for":
            op.attributes[MARK] = ir.UnitAttr.get()
            if reciprocal is not None:
                op.attributes[RECIPROCAL] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), reciprocal)
    return m


def _adds(m: ir.Module) -> list[str]:
    return [str(op).split("=")[1].split(":")[0].strip() for op in walk(m.operation) if op.name == "arith.addf"]


def test_the_carried_term_joins_the_sum_last():
    with ir.Context():
        m = _marked(SWEEP)
        assert carried_chains(m) == 1 and reassociate(m) == 1
        m.operation.verify()
        loads = {str(op.results[0].get_name()): str(op.attributes["map"]) for op in walk(m.operation)
                 if op.name == "affine.load"}
        adds = [op for op in walk(m.operation) if op.name == "arith.addf"]
        # the last addition takes A[i, j - 1], stored by the iteration before; the others come first, in order
        last = adds[-1].operands[1]
        assert loads[str(last.get_name())].endswith("(d0, d1 - 1)>")
        assert len(adds) == 4 and carried_chains(m) == 0 and reassociate(m) == 0  # (done: nothing left)


def test_a_value_carried_in_iter_args_and_only_marked_loops():
    with ir.Context():
        m = ir.Module.parse(FILTER)
        assert carried_chains(m) == 1 and reassociate(m) == 0  # not marked: left as written
        m = _marked(FILTER)
        assert reassociate(m) == 1
        m.operation.verify()
        first = next(op for op in walk(m.operation) if op.name == "arith.addf")
        assert "%cst" in str(first) and "affine.load" in str(first.operands[0].owner)  # x[i] + 0.5 first
    # a sum whose partial is used elsewhere (stored, yielded) keeps that partial: the tree stops there
    with ir.Context():
        m = _marked(FILTER.replace("affine.store %t2, %y[%i]", "affine.store %t1, %y[%i]"))
        assert reassociate(m) == 0


def test_a_division_by_a_loop_invariant_value_becomes_a_reciprocal_only_when_asked():
    for value, flagged in ((0, 0), (1, 1)):
        with ir.Context():
            m = _marked(SWEEP, value)
            reassociate(m)
            divs = [op for op in walk(m.operation) if op.name == "arith.divf"]
            assert sum("arcp" in str(op) for op in divs) == flagged
    with ir.Context():  # divided by x[i], loaded in the loop: kept a division
        m = _marked(FILTER, 1)
        reassociate(m)
        assert not any("arcp" in str(op) for op in walk(m.operation) if op.name == "arith.divf")


def test_reordered_sums_give_the_same_values_to_rounding():
    with ir.Context():
        m = _marked(SWEEP, 1)
        reassociate(m)
        text = str(m)
    a = np.random.default_rng(3).standard_normal((6, 9))
    want, got = a.copy(), a.copy()
    w = np.array([3.0])
    compile_kernel(SWEEP)(want, w)
    compile_kernel(text)(got, w)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-14)
    assert not np.array_equal(a, got)
