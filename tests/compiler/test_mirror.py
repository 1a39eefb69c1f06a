"""Arrays read down a column beside a row, read through a transposed copy kept in step (compiler/mirror.py): the
copy is written at every store, so the kernel's answer is the naive loops' bit for bit where nothing is summed in
floats; arrays the pass cannot see every write to are left alone."""

import numpy as np
import pytest
from mlir import ir

from neurojit.compiler import ScheduleError, compile_kernel
from neurojit.compiler.kernel import walk
from neurojit.compiler.mirror import MIRRORED, mirror_columns
from neurojit.compiler.raise_loops import affine_form
from support.paths import KERNELS

MIRROR = """module attributes {transform.with_named_sequence, neurojit.payload = "affine", neurojit.mirror = "columns"} {
transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
  transform.yield
}
}"""

HERE = KERNELS.parent.parent / "tests" / "agent" / "kernels"


def _mirrored(text: str) -> tuple[int, ir.Module]:
    module = ir.Module.parse(text)
    affine_form(module)
    n = mirror_columns(module)
    module.operation.verify()
    return n, module


def _same_answers(text: str, seed: int = 5) -> None:
    naive, mirrored = compile_kernel(text), compile_kernel(text, MIRROR)
    rng = np.random.default_rng(seed)
    args = [rng.integers(-3, 4, a.shape).astype(a.dtype) if np.dtype(a.dtype).kind == "i"
            else rng.standard_normal(a.shape).astype(a.dtype) for a in naive.signature.args]
    want, got = [a.copy() for a in args], [a.copy() for a in args]
    naive(*want)
    mirrored(*got)
    for w, g in zip(want, got):
        np.testing.assert_array_equal(g, w)


def test_nussinov_reads_its_column_from_the_copy_and_gives_the_same_table():
    text = (HERE / "nussinov_odd.mlir").read_text()
    with ir.Context():
        n, module = _mirrored(text)
        assert n == 1  # table[k + 1][j] in the loop over k
        copies = [op for op in walk(module.operation) if op.name == "memref.alloc" and MIRRORED in op.attributes]
        assert len(copies) == 1
        copy = copies[0].results[0]
        table = module.body.operations[0].regions[0].blocks[0].arguments[1]
        stores = lambda m: sum(1 for u in m.uses if u.owner.name == "affine.store")  # noqa: E731
        assert stores(copy) == stores(table) + 1  # every store to the table, and the copy's own fill
    _same_answers(text)


KERNEL = """module {
  func.func @k(%A: memref<24x24xi32> {neurojit.output}, %B: memref<24x24xi32>) {
    %alloc
    affine.for %i = 0 to 24 {
      affine.for %j = 0 to 24 {
        %r = affine.for %k = 0 to 24 iter_args(%acc = %c0) -> (i32) {
          %x = affine.load %B[%i, %k] : memref<24x24xi32>
          %y = affine.load %A[COLUMN] : memref<24x24xi32>
          %p = arith.muli %x, %y : i32
          %s = arith.addi %acc, %p : i32
          affine.yield %s : i32
        }
        STORE
      }
    }
    return
  }
}
"""


def _kernel(column: str = "%k, %j", store: str = "affine.store %r, %A[%i, %j] : memref<24x24xi32>",
            extra: str = "") -> str:
    return (KERNEL.replace("COLUMN", column).replace("STORE", store)
            .replace("%alloc", "%c0 = arith.constant 0 : i32" + extra))


def test_a_product_reading_its_own_output_down_columns_is_mirrored_and_exact():
    # A = B x A row by row, in place: the later rows read columns of A that earlier rows have written
    text = _kernel()
    with ir.Context():
        assert _mirrored(text)[0] == 1
    _same_answers(text)


@pytest.mark.parametrize("case", ["view", "call", "memref_store", "no_row", "diagonal"])
def test_an_array_whose_writes_the_pass_cannot_all_see_or_no_column_is_left_alone(case):
    if case == "view":  # a flat view of A: stores through it would miss the copy
        text = _kernel(extra="\n    %flat = memref.collapse_shape %A [[0, 1]] : memref<24x24xi32> into memref<576xi32>"
                             "\n    affine.store %c0, %flat[0] : memref<576xi32>")
    elif case == "call":
        text = _kernel(extra="\n    func.call @touch(%A) : (memref<24x24xi32>) -> ()").replace(
            "  func.func @k", "  func.func private @touch(%m: memref<24x24xi32>) {\n    %z = arith.constant 0 : i32\n"
            "    affine.store %z, %m[3, 4] : memref<24x24xi32>\n    return\n  }\n  func.func @k")
    elif case == "memref_store":  # at a subscript no affine map gives (affine stores it would raise)
        text = _kernel(store="%q = arith.muli %i, %j : index\n        %w = arith.remui %q, %c24 : index\n"
                             "        memref.store %r, %A[%i, %w] : memref<24x24xi32>",
                       extra="\n    %c24 = arith.constant 24 : index")
    elif case == "no_row":  # both terms down columns: the loop around is the one to vectorise
        text = _kernel().replace("affine.load %B[%i, %k]", "affine.load %B[%k, %i]")
    else:  # A[k][k]: the index in both subscripts, not a column
        text = _kernel(column="%k, %k")
    with ir.Context():
        assert _mirrored(text)[0] == 0
    with pytest.raises(ScheduleError, match="no innermost loop reads an argument down a column"):
        compile_kernel(text, MIRROR)


def test_a_float_sum_along_the_row_and_the_mirrored_column_may_be_reordered():
    text = (_kernel().replace("i32", "f32").replace("arith.muli", "arith.mulf").replace("arith.addi", "arith.addf")
            .replace("arith.constant 0 : f32", "arith.constant 0.0 : f32"))
    with ir.Context():
        n, module = _mirrored(text)
        assert n == 1
        adds = [op for op in walk(module.operation) if op.name == "arith.addf"]
        assert adds and all("reassoc" in str(op.attributes["fastmath"]) for op in adds)
        assert not any("fastmath" in op.attributes and "reassoc" in str(op.attributes["fastmath"])
                       for op in walk(module.operation) if op.name == "arith.mulf")


LU = """module {
  func.func @lu(%A: memref<16x16xf64> {neurojit.output}) {
    affine.for %i = 0 to 16 {
      affine.for %j = 0 to affine_map<(d0) -> (d0)>(%i) {
        affine.for %k = 0 to affine_map<(d0) -> (d0)>(%j) {
          %a = affine.load %A[%i, %j] : memref<16x16xf64>
          %b = affine.load %A[%i, %k] : memref<16x16xf64>
          %c = affine.load %A[%k, %j] : memref<16x16xf64>
          %p = arith.mulf %b, %c : f64
          %s = arith.subf %a, %p : f64
          affine.store %s, %A[%i, %j] : memref<16x16xf64>
        }
        %a = affine.load %A[%i, %j] : memref<16x16xf64>
        %d = affine.load %A[%j, %j] : memref<16x16xf64>
        %q = arith.divf %a, %d : f64
        affine.store %q, %A[%i, %j] : memref<16x16xf64>
      }
      affine.for %j = affine_map<(d0) -> (d0)>(%i) to 16 {
        affine.for %k = 0 to affine_map<(d0) -> (d0)>(%i) {
          %a = affine.load %A[%i, %j] : memref<16x16xf64>
          %b = affine.load %A[%i, %k] : memref<16x16xf64>
          %c = affine.load %A[%k, %j] : memref<16x16xf64>
          %p = arith.mulf %b, %c : f64
          %s = arith.subf %a, %p : f64
          affine.store %s, %A[%i, %j] : memref<16x16xf64>
        }
      }
    }
    return
  }
}
"""


@pytest.mark.parametrize("kind", ["normal", "nonpositive", "offset"])
def test_lu_in_place_with_its_sums_kept_in_order_is_the_naive_loops_bit_for_bit(kind, monkeypatch):
    # LU's A[i][j] -= A[i][k] * A[k][j]: the column A[k][j] read from the copy, the running difference carried
    # (compiler/accumulators.py); with the float sums left unflagged nothing may change the order, so the answer
    # is the naive loops' to the bit, signed zeros and infinities too (the difference once carried as a sum from
    # zero, subtracted after the loop: -0.0 for 0.0 on nonpositive inputs, then -inf for inf past a zero pivot)
    from neurojit.compiler import mirror
    from neurojit.evaluator.inputs import fill

    monkeypatch.setattr(mirror, "reductions", lambda loop: [])
    naive = compile_kernel(LU)
    mirrored = compile_kernel(LU, MIRROR, cache=False, isolate=False)
    a = fill(kind, (16, 16), np.float64, np.random.default_rng(1))
    want, got = a.copy(), a.copy()
    naive(want)
    mirrored(got)
    assert want.view(np.int64).tolist() == got.view(np.int64).tolist()
