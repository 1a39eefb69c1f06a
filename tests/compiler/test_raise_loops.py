"""scf.for loops of constant bounds raised to affine.for (compiler/raise_loops.py), and the affine schedule on
them (payload "affine")."""

import numpy as np
from mlir import ir

from neurojit.agent.analyze import analyze
from neurojit.agent.schedules import for_kernel
from neurojit.compiler import compile_kernel, host
from neurojit.compiler.kernel import walk
from neurojit.compiler.raise_loops import raise_scf_loops

# a row sum as one writes it by hand: the sum carried in iter_args, stored after the inner loop
ROW_SUM = """func.func @rowsum(%x: memref<64x96xf32>, %out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 64 : index
  %m = arith.constant 96 : index
  %z = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    %s = scf.for %j = %c0 to %m step %c1 iter_args(%acc = %z) -> (f32) {
      %v = memref.load %x[%i, %j] : memref<64x96xf32>
      %a = arith.addf %acc, %v : f32
      scf.yield %a : f32
    }
    memref.store %s, %out[%i] : memref<64xf32>
  }
  return
}"""

# a 3-point blur: neighbours through arith.subi / arith.addi of the loop's index, rows 2 apart (step 2)
BLUR = """func.func @blur(%a: memref<40x50xf64>, %b: memref<40x50xf64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r = arith.constant 40 : index
  %n = arith.constant 49 : index
  %third = arith.constant 0.25 : f64
  scf.for %i = %c0 to %r step %c2 {
    scf.for %j = %c1 to %n step %c1 {
      %jm = arith.subi %j, %c1 : index
      %jp = arith.addi %j, %c1 : index
      %j2 = arith.muli %j, %c1 : index
      %l = memref.load %a[%i, %jm] : memref<40x50xf64>
      %c = memref.load %a[%i, %j2] : memref<40x50xf64>
      %q = memref.load %a[%i, %jp] : memref<40x50xf64>
      %s = arith.addf %l, %c : f64
      %t = arith.addf %s, %q : f64
      %u = arith.mulf %t, %third : f64
      memref.store %u, %b[%i, %j] : memref<40x50xf64>
    }
  }
  return
}"""


def _raised(text: str) -> tuple[ir.Module, int]:
    module = ir.Module.parse(text)
    return module, raise_scf_loops(module)


def test_constant_bound_loops_become_affine_loops_with_their_values_carried():
    with ir.Context():
        module, n = _raised(ROW_SUM)
        module.operation.verify()
        names = [op.name for op in walk(module.operation)]
        assert n == 2 and "scf.for" not in names and names.count("affine.for") == 2
        inner = [op for op in walk(module.operation) if op.name == "affine.for"][1]
        assert len(inner.results) == 1  # the sum is still carried, now in affine iter_args


def test_index_arithmetic_becomes_affine_so_the_loads_are_raised_and_the_values_are_unchanged():
    with ir.Context():
        module, n = _raised(BLUR)
        assert n == 2 and not any(op.name in ("arith.subi", "arith.addi", "arith.muli")
                                  for op in walk(module.operation))
        text = str(module)
    a = np.random.default_rng(0).standard_normal((40, 50))
    want, got = np.zeros((40, 50)), np.zeros((40, 50))
    compile_kernel(BLUR)(a, want)
    compile_kernel(text)(a, got)
    assert np.array_equal(got, want)  # the same operations in the same order
    assert want[2, 1] == (a[2, 0] + a[2, 1] + a[2, 2]) * 0.25 and not want[1].any()


def test_loops_whose_bounds_are_not_constants_stay_scf():
    text = ROW_SUM.replace("%out: memref<64xf32>)", "%out: memref<64xf32>, %len: memref<1xi32>)").replace(
        "%m = arith.constant 96 : index",
        "%l = memref.load %len[%c0] : memref<1xi32>\n  %m = arith.index_cast %l : i32 to index")
    with ir.Context():
        module, n = _raised(text)
        names = [op.name for op in walk(module.operation)]
        assert n == 1 and names.count("scf.for") == 1 and names.count("affine.for") == 1
        module.operation.verify()


def test_a_bound_read_from_a_static_extent_is_a_constant_bound():
    """`memref.dim` of a static memref, as kernels written for any size bound their loops, is raised too."""
    text = ROW_SUM.replace("%m = arith.constant 96 : index", "%m = memref.dim %x, %c1 : memref<64x96xf32>")
    with ir.Context():
        module, n = _raised(text)
        assert n == 2 and "scf.for" not in [op.name for op in walk(module.operation)]
        module.operation.verify()
    assert analyze(text).scf_raised


def test_a_hand_written_scf_row_sum_gets_the_affine_schedule_and_numpys_answer():
    # before: "plain scf loops, none of which unroll-and-jam may interleave" (no proposal)
    info = analyze(ROW_SUM)
    assert info.scf_raised and info.affine and 8 in info.loop_widths
    ranked = for_kernel(info, host(), keep=0)
    # first the row reduction's schedule, on the linalg ops the loops raise to (compiler/raise_linalg.py)
    assert info.linalg_raised and ranked[0].name == "vectorize_row_reduction"
    first = next(s for s in ranked if s.name == "vectorize_affine_loops")
    script = first.text(info, host())
    assert 'neurojit.payload = "affine"' in script
    x = np.random.default_rng(1).standard_normal((64, 96)).astype(np.float32)
    out = np.zeros(64, np.float32)
    compile_kernel(ROW_SUM, script)(x, out)
    np.testing.assert_allclose(out, x.astype(np.float64).sum(axis=1), rtol=1e-5, atol=1e-5)
