"""Sums kept in an array element, carried by their loops where no other access can touch the element
(compiler/accumulators.py)."""

import numpy as np
from mlir import ir

from neurojit.compiler import compile_kernel
from neurojit.compiler.accumulators import promote_accumulators
from neurojit.compiler.kernel import walk
from neurojit.compiler.raise_loops import affine_form_unsplit

SOLVE = """module {
  func.func @solve(%L: memref<9x9xf64>, %x: memref<9xf64> {neurojit.output}) {
    affine.for %i = 0 to 9 {
      affine.for %j = 0 to #UB {
        %l = affine.load %L[%i, %j] : memref<9x9xf64>
        %xj = affine.load %x[%j] : memref<9xf64>
        %xi = affine.load %x[%i] : memref<9xf64>
        %p = arith.mulf %l, %xj : f64
        %d = arith.subf %xi, %p : f64
        affine.store %d, %x[%i] : memref<9xf64>
      }
    }
    return
  }
}
"""


def _promoted(text: str) -> tuple[int, ir.Module]:
    m = ir.Module.parse(text)
    affine_form_unsplit(m)
    n = promote_accumulators(m)
    m.operation.verify()
    return n, m


def test_a_sum_no_other_access_can_touch_is_carried():
    with ir.Context():
        # j < i: x[j] is never x[i]; the running difference becomes a running sum of the negated terms
        n, m = _promoted(SOLVE.replace("#UB", "affine_map<(d0) -> (d0)>(%i)"))
        assert n == 1
        loops = [o for o in walk(m.operation) if o.name == "affine.for"]
        assert len(loops[1].results) == 1  # the inner loop carries the sum
        body = [o.name for o in walk(loops[1])]
        assert "arith.addf" in body and "arith.subf" not in body and "affine.store" not in body


def test_a_carried_running_difference_computes_what_the_loop_did_bit_for_bit():
    # x - t is x + (-t) exactly; the terms summed from zero and subtracted once were not: -0.0 - -0.0 is 0.0,
    # -0.0 - (0.0 + -0.0) is -0.0 (LU's pivots changed sign: inf for -inf), and x - (t0 + t1) rounds apart
    # from (x - t0) - t1
    text = SOLVE.replace("#UB", "affine_map<(d0) -> (d0)>(%i)")
    with ir.Context():
        n, m = _promoted(text)
        assert n == 1
        carried = str(m)
    rng = np.random.default_rng(3)
    for _ in range(20):
        L = np.where(rng.random((9, 9)) < 0.5, rng.choice([-0.0, 0.0], (9, 9)), rng.standard_normal((9, 9)))
        x = np.where(rng.random(9) < 0.5, rng.choice([-0.0, 0.0], 9), rng.standard_normal(9))
        want, got = [L.copy(), x.copy()], [L.copy(), x.copy()]
        compile_kernel(text)(*want)
        compile_kernel(carried)(*got)
        assert want[1].view(np.int64).tolist() == got[1].view(np.int64).tolist()  # (-0.0 apart from 0.0)


def test_a_sum_another_access_may_touch_stays_in_memory():
    with ir.Context():
        # j up to 9 reaches j == i: x[j] is then x[i], read after the loop's own earlier stores
        n, m = _promoted(SOLVE.replace("#UB", "9"))
        assert n == 0
        assert not any(len(o.results) for o in walk(m.operation) if o.name == "affine.for")
        # j <= i (the diagonal too): still x[i] at j == i
        assert _promoted(SOLVE.replace("#UB", "affine_map<(d0) -> (d0 + 1)>(%i)"))[0] == 0


TRMM = """module {
  func.func @trmm(%A: memref<12x12xf32>, %B: memref<12x10xf32> {neurojit.output}) {
    affine.for %i = 0 to 12 {
      affine.for %j = 0 to 10 {
        affine.for %k = affine_map<(d0) -> (d0 + 1)>(%i) to 12 {
          %a = affine.load %A[%k, %i] : memref<12x12xf32>
          %b = affine.load %B[%k, %j] : memref<12x10xf32>
          %c = affine.load %B[%i, %j] : memref<12x10xf32>
          %p = arith.mulf %a, %b : f32
          %s = arith.addf %c, %p : f32
          affine.store %s, %B[%i, %j] : memref<12x10xf32>
        }
      }
    }
    return
  }
}
"""


def test_a_sum_down_columns_stays_in_memory():
    # trmm's sum over k reads only down columns (k is no last subscript): carried, the vectoriser would take it
    # with strided loads instead of the loop over j around it (8.9x its naive loops as it was, 1.07x carried)
    with ir.Context():
        assert _promoted(TRMM)[0] == 0
        assert _promoted(TRMM.replace("%A[%k, %i]", "%A[%i, %k]"))[0] == 1  # along a row: carried


EMPTY_TRIP = """module {
  func.func @oob(%A: memref<8x8xf32>, %x: memref<8x8xf32> {neurojit.output}, %y: memref<8xf32>) {
    affine.for %i = 0 to 8 {
      affine.for %c = 0 to 9 {
        affine.for %j = affine_map<(d0) -> (d0)>(%c) to 8 {
          %a = affine.load %A[%i, %j] : memref<8x8xf32>
          %xi = affine.load %x[%i, %c] : memref<8x8xf32>
          %s = arith.addf %xi, %a : f32
          affine.store %s, %x[%i, %c] : memref<8x8xf32>
        }
      }
    }
    return
  }
}
"""


def test_an_element_outside_the_memref_on_an_empty_trip_stays_in_memory():
    # the j loop runs no trip at c = 8, where x[i, c] is past its row: the copy in and out would touch it
    with ir.Context():
        assert _promoted(EMPTY_TRIP)[0] == 0
        assert _promoted(EMPTY_TRIP.replace("affine.for %c = 0 to 9", "affine.for %c = 0 to 8"))[0] == 1


ROW_SUMS = """module {
  func.func @rows(%A: memref<9x12xf64> {neurojit.output}) {
    affine.for %i = 0 to 9 {
      affine.for %j = #JLB to 10 {
        affine.for %k = #KLB to #KUB {
          %x = affine.load %A[%i, %k] : memref<9x12xf64>
          %e = affine.load %A[%i, %j] : memref<9x12xf64>
          %s = arith.addf %e, %x : f64
          affine.store %s, %A[%i, %j] : memref<9x12xf64>
        }
      }
    }
    return
  }
}
"""


def test_the_proof_tells_the_middle_loops_index_from_a_constant():
    # the middle loop's index is the second variable of the system: once taken for the constant term, which
    # proved A[i][k] apart from A[i][j] where k reaches j (k from 2 to j: wrong sums carried), and failed to
    # prove it apart where k stops short of j (LU's second nest: k < i <= j)
    def kernel(j_lb: str, k_lb: str, k_ub: str) -> str:
        return ROW_SUMS.replace("#JLB", j_lb).replace("#KLB", k_lb).replace("#KUB", k_ub)

    with ir.Context():
        assert _promoted(kernel("0", "2", "affine_map<(d0) -> (d0 + 1)>(%j)"))[0] == 0
        assert _promoted(kernel("affine_map<(d0) -> (d0)>(%i)", "0", "affine_map<(d0) -> (d0)>(%i)"))[0] == 1


def test_a_vectorised_sum_over_no_terms_keeps_a_negative_zero():
    # cholesky's A[0][0] -= nothing (its k loop empty), carried and vectorised: the super-vectoriser started the
    # vector at +0.0 and the lowering reduced it from +0.0, so -0.0 became +0.0, its sqrt +0.0, and the next row
    # divided into -inf where the loops gave +inf (a sweep on 'nonpositive' data). -0.0 is addition's neutral
    # element: the sums start from it (accumulators.negative_zero_starts)
    import pathlib

    from neurojit.agent.analyze import analyze
    from neurojit.agent.schedules import VectorizeAffineLoops
    from neurojit.compiler.host import host

    text = (pathlib.Path(__file__).resolve().parents[1] / "agent" / "kernels" / "cholesky_odd.mlir").read_text()
    info, h = analyze(text), host()
    s = VectorizeAffineLoops()
    assert s.applies(info) and info.loop_widths
    rng = np.random.default_rng(2)
    a = rng.standard_normal((37, 37))
    a = a @ a.T + 37 * np.eye(37)
    a[0, 0] = -0.0
    a[1:, 0] = -np.abs(a[1:, 0])
    for vw in s.widths(info, h):
        want, got = a.copy(), a.copy()
        compile_kernel(text)(want)
        compile_kernel(text, s.text(info, h), {**s.defaults(info, h), "vw": vw})(got)
        assert np.signbit(want[0, 0]) and np.signbit(got[0, 0]), vw
        assert want[1, 0] == got[1, 0] == np.inf, vw  # (-x / -0.0)
