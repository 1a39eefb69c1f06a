"""Loops split at the one iteration that writes what every iteration reads (compiler/alias_split.py): the pieces
give the naive loops' answer bit for bit, and an element is read once before a piece only where no store of the
piece can write it and the loop as written read it too."""

import numpy as np
import pytest
from mlir import ir

from neurojit.compiler import ScheduleError, compile_kernel
from neurojit.compiler.alias_split import split_at_aliases
from neurojit.compiler.kernel import walk

SPLIT = """module attributes {transform.with_named_sequence, neurojit.split = "aliases"} {
transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
  transform.yield
}
}"""


def kernel(body: str, shape: str = "12x32", dtype: str = "f32", extra: str = "") -> str:
    return (f"module {{\n  func.func @k(%A: memref<{shape}x{dtype}> {{neurojit.output}}{extra}) {{\n{body}\n"
            "    return\n  }\n}\n")


ROW_PIVOT = kernel("""
    affine.for %i = 0 to 12 {
      affine.for %j = 0 to 32 {
        %a = affine.load %A[%i, %j] : memref<12x32xf32>
        %d = affine.load %A[%i, %i] : memref<12x32xf32>
        %q = arith.divf %a, %d : f32
        affine.store %q, %A[%i, %j] : memref<12x32xf32>
      }
    }""")


def _split(text: str) -> tuple[int, ir.Module]:
    with ir.Context():
        module = ir.Module.parse(text)
        n = split_at_aliases(module)
        module.operation.verify()
        return n, str(module)


def _hoisted(text: str) -> int:
    """Loads outside every innermost loop (after the split: the ones read once before a piece)."""
    with ir.Context():
        module = ir.Module.parse(text)
        return sum(1 for op in walk(module.operation) if op.name == "affine.load"
                   and any(o.name == "affine.for" and o != op.parent for o in walk(op.parent)))


def _same_answers(text: str, seed: int = 3) -> None:
    naive, split = compile_kernel(text), compile_kernel(text, SPLIT)
    rng = np.random.default_rng(seed)
    args = [(rng.integers(-50, 50, a.shape) if np.dtype(a.dtype).kind == "i" else rng.standard_normal(a.shape) + 2.0)
            .astype(a.dtype) for a in naive.signature.args]
    want, got = [a.copy() for a in args], [a.copy() for a in args]
    naive(*want)
    split(*got)
    for w, g in zip(want, got):
        np.testing.assert_array_equal(g, w)  # the same operations in the same order: every bit


def test_a_row_divided_by_its_own_diagonal_is_split_there_and_the_divisor_read_once_per_piece():
    n, text = _split(ROW_PIVOT)
    assert n == 1
    assert text.count("affine.for") == 4  # the row loop and three pieces of the column loop
    assert _hoisted(text) == 2  # the divisor before the columns under and over the diagonal (not at it)
    _same_answers(ROW_PIVOT)


def test_floyd_warshall_splits_its_rows_at_row_k_and_each_row_at_column_k(tmp_path):
    from support.paths import KERNELS

    text = (KERNELS / "floyd_warshall.mlir").read_text().replace("500", "23")
    n, split = _split(text)
    assert n == 4  # the row loop, then the column loop in each of its three pieces
    assert _hoisted(split) == 6  # path[i][k] before the two pieces of each row loop piece that exclude j = k
    _same_answers(text)


def test_reversed_and_out_of_range_split_points_give_the_same_answers():
    reversed_ = kernel("""
    affine.for %i = 0 to 12 {
      affine.for %j = 0 to 32 {
        %a = affine.load %A[%i, %j] : memref<12x32xf32>
        %d = affine.load %A[%i, %i + 3] : memref<12x32xf32>
        %q = arith.addf %a, %d : f32
        affine.store %q, %A[%i, 31 - %j] : memref<12x32xf32>
      }
    }""")
    assert _split(reversed_)[0] == 1  # j0 = 28 - i
    _same_answers(reversed_)
    outside = kernel("""
    affine.for %i = 0 to 12 {
      affine.for %j = 0 to 8 {
        %a = affine.load %A[%i, %j] : memref<12x32xf32>
        %d = affine.load %A[%i, %i + 20] : memref<12x32xf32>
        %q = arith.mulf %a, %d : f32
        affine.store %q, %A[%i, %j] : memref<12x32xf32>
      }
    }""")
    assert _split(outside)[0] == 1  # j0 = i + 20, past the loop's end: the first piece is the whole loop
    _same_answers(outside)


def test_no_element_is_read_before_a_loop_that_may_not_run():
    # row i reads A[i][i - 1] at every j < i: at i = 0 the row loop runs no iteration and A[0][-1] is not an
    # element of the row; read before the loop it would be read where the loop as written reads nothing
    text = kernel("""
    affine.for %i = 0 to 12 {
      affine.for %j = 0 to affine_map<(d0) -> (d0)>(%i) {
        %a = affine.load %A[%i, %j] : memref<12x32xf32>
        %d = affine.load %A[%i, %i - 1] : memref<12x32xf32>
        %q = arith.addf %a, %d : f32
        affine.store %q, %A[%i, %j] : memref<12x32xf32>
      }
    }""")
    n, split = _split(text)
    assert n == 1 and _hoisted(split) == 0
    _same_answers(text)


def test_no_element_is_read_once_where_another_store_may_write_it():
    # the row also writes through a flat view of the same buffer (a view: maybe the element read); and a
    # loop that stores through memref.store
    view = kernel("""
    %flat = memref.collapse_shape %A [[0, 1]] : memref<12x32xf32> into memref<384xf32>
    affine.for %i = 0 to 12 {
      affine.for %j = 0 to 32 {
        %a = affine.load %A[%i, %j] : memref<12x32xf32>
        %d = affine.load %A[%i, %i] : memref<12x32xf32>
        %q = arith.divf %a, %d : f32
        affine.store %q, %A[%i, %j] : memref<12x32xf32>
        affine.store %q, %flat[%i * 32 + 31 - %j] : memref<384xf32>
      }
    }""")
    n, split = _split(view)
    assert n == 1 and _hoisted(split) == 0
    _same_answers(view)
    other = kernel("""
    affine.for %i = 0 to 12 {
      affine.for %j = 0 to 32 {
        %a = affine.load %A[%i, %j] : memref<12x32xf32>
        %d = affine.load %A[%i, %i] : memref<12x32xf32>
        %q = arith.divf %a, %d : f32
        affine.store %q, %A[%i, %j] : memref<12x32xf32>
        memref.store %q, %B[%j] : memref<32xf32>
      }
    }""", extra=", %B: memref<32xf32> {neurojit.output}")
    n, split = _split(other)
    assert n == 1 and _hoisted(split) == 0  # (memref.store: the loop does more than affine ops to memory)


def test_an_element_is_read_once_beside_stores_to_another_argument():
    # B is another buffer (the JIT refuses an output that overlaps another argument): A[i][i] is read once
    text = kernel("""
    affine.for %i = 0 to 12 {
      affine.for %j = 0 to 32 {
        %a = affine.load %A[%i, %j] : memref<12x32xf32>
        %d = affine.load %A[%i, %i] : memref<12x32xf32>
        %q = arith.divf %a, %d : f32
        affine.store %q, %B[%i, %j] : memref<12x32xf32>
        %r = arith.subf %a, %q : f32
        affine.store %r, %A[%i, %j] : memref<12x32xf32>
      }
    }""", extra=", %B: memref<12x32xf32> {neurojit.output}")
    n, split = _split(text)
    assert n == 1 and _hoisted(split) == 2
    _same_answers(text)


@pytest.mark.parametrize("strides, shape", [("[1, 1]", "12x12"), ("[0, 1]", "12x16")])
def test_no_element_is_read_once_through_a_view_whose_subscripts_meet(strides, shape):
    # a view whose rows overlap (strides [1, 1]: v[r][c] is A[r + c]) or repeat one row (stride 0): v[i + 1][3]
    # differs from the row v[i][*] by a constant in the row subscript, yet it is an element the row writes
    view = f"memref<{shape}xf32, strided<{strides}>>"
    cols = shape.split("x")[1]
    text = f"""module {{
  func.func @k(%A: memref<32xf32> {{neurojit.output}}) {{
    %v = memref.reinterpret_cast %A to offset: [0], sizes: [{shape.replace("x", ", ")}], strides: {strides} : memref<32xf32> to {view}
    affine.for %i = 0 to 11 {{
      affine.for %j = 0 to {cols} {{
        %a = affine.load %v[%i, %j] : {view}
        %d = affine.load %v[%i, %i] : {view}
        %e = affine.load %v[%i + 1, 3] : {view}
        %s = arith.mulf %d, %e : f32
        %q = arith.addf %a, %s : f32
        affine.store %q, %v[%i, %j] : {view}
      }}
    }}
    return
  }}
}}
"""
    n, split = _split(text)
    assert n == 1 and _hoisted(split) == 0
    _same_answers(text)


@pytest.mark.parametrize("choose", [
    """%c = arith.cmpi ult, %j, %i : index
        %m = arith.select %c, %A, %B : memref<12x32xf32>""",
    """%m = affine.if affine_set<(d0, d1) : (d1 - d0 - 1 >= 0)>(%j, %i) -> memref<12x32xf32> {
          affine.yield %A : memref<12x32xf32>
        } else {
          affine.yield %B : memref<12x32xf32>
        }"""])
def test_a_memref_chosen_inside_the_loop_is_not_read_before_it(choose):
    text = kernel(f"""
    affine.for %i = 0 to 12 {{
      affine.for %j = 0 to 32 {{
        {choose}
        %a = affine.load %m[%i, %j] : memref<12x32xf32>
        %d = affine.load %m[%i, %i] : memref<12x32xf32>
        %q = arith.subf %a, %d : f32
        affine.store %q, %m[%i, %j] : memref<12x32xf32>
      }}
    }}""", extra=", %B: memref<12x32xf32> {neurojit.output}")
    n, split = _split(text)  # (verifies: nothing uses the memref before it is chosen)
    assert n == 1 and _hoisted(split) == 0
    _same_answers(text)


def test_loops_whose_pairs_meet_at_different_iterations_or_never_are_left_alone():
    two = kernel("""
    affine.for %i = 0 to 12 {
      affine.for %j = 0 to 32 {
        %a = affine.load %A[%i, %j] : memref<12x32xf32>
        %d = affine.load %A[%i, 0] : memref<12x32xf32>
        %e = affine.load %A[%i, 5] : memref<12x32xf32>
        %s = arith.addf %d, %e : f32
        %q = arith.addf %a, %s : f32
        affine.store %q, %A[%i, %j] : memref<12x32xf32>
      }
    }""")
    assert _split(two)[0] == 0  # j = 0 and j = 5: not one point
    never = kernel("""
    affine.for %i = 0 to 11 {
      affine.for %j = 0 to 32 {
        %a = affine.load %A[%i, %j] : memref<12x32xf32>
        %d = affine.load %A[%i + 1, 0] : memref<12x32xf32>
        %q = arith.addf %a, %d : f32
        affine.store %q, %A[%i, %j] : memref<12x32xf32>
      }
    }""")
    assert _split(never)[0] == 0  # the next row's element: no iteration of this row writes it
    with pytest.raises(ScheduleError, match="no loop of the kernel reads an element"):
        compile_kernel(never, SPLIT)
