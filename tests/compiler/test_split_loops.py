"""Affine loops no vector width divides, split into a main loop and the rest unrolled (compiler/split_loops.py),
and vector transfers proved inside their memref marked in bounds (compiler/in_bounds.py)."""

import numpy as np
from mlir import ir

from neurojit.agent.analyze import analyze
from neurojit.agent.schedules.affine_loops import VectorizeAffineLoops
from neurojit.compiler import compile_kernel, host
from neurojit.compiler.in_bounds import mark_in_bounds
from neurojit.compiler.kernel import walk
from neurojit.compiler.raise_loops import affine_form

# PolyBench's jacobi-1d (as affine loops): the interior of a 4000-point row, 3998 = 2 x 1999 trips
JACOBI_1D = """func.func @jacobi_1d(%A: memref<4000xf64> {neurojit.output}, %B: memref<4000xf64> {neurojit.output}) {
  %third = arith.constant 0.33333 : f64
  affine.for %t = 0 to 10 {
    affine.for %i = 1 to 3999 {
      %a = affine.load %A[%i - 1] : memref<4000xf64>
      %b = affine.load %A[%i] : memref<4000xf64>
      %c = affine.load %A[%i + 1] : memref<4000xf64>
      %s = arith.addf %a, %b : f64
      %s2 = arith.addf %s, %c : f64
      %r = arith.mulf %third, %s2 : f64
      affine.store %r, %B[%i] : memref<4000xf64>
    }
    affine.for %i = 1 to 3999 {
      %a = affine.load %B[%i - 1] : memref<4000xf64>
      %b = affine.load %B[%i] : memref<4000xf64>
      %c = affine.load %B[%i + 1] : memref<4000xf64>
      %s = arith.addf %a, %b : f64
      %s2 = arith.addf %s, %c : f64
      %r = arith.mulf %third, %s2 : f64
      affine.store %r, %A[%i] : memref<4000xf64>
    }
  }
  return
}"""


def _bounds(loop):
    return [str(ir.AffineMapAttr(loop.attributes[k]).value.results[0]) for k in ("lowerBoundMap", "upperBoundMap")]


def test_a_stencil_interior_is_split_into_a_loop_every_width_divides_and_the_rest():
    with ir.Context():
        module = ir.Module.parse(JACOBI_1D)
        raised, split = affine_form(module)
        module.operation.verify()
        loops = [op for op in walk(module.operation) if op.name == "affine.for"]
        assert (raised, split) == (0, 2) and [_bounds(op) for op in loops[1:]] == [["1", "3985"]] * 2
        stores = [op for op in walk(module.operation) if op.name == "affine.store" and op.parent.name == "affine.for"
                  and op.parent.parent.name == "func.func"]
        assert len(stores) == 2 * 14  # 3985 to 3999, unrolled, twice
    info = analyze(JACOBI_1D)
    assert info.loops_split and info.affine_payload and {4, 8, 16} <= set(info.loop_widths)


def test_the_split_and_vectorised_stencil_gives_the_naive_loops_values_exactly():
    info, h = analyze(JACOBI_1D), host()
    schedule = VectorizeAffineLoops(vw=8, unroll=2, threads=1)
    script = schedule.text(info, h)
    assert 'neurojit.payload = "affine"' in script
    x = np.random.default_rng(0).standard_normal(4000)
    want = [x.copy(), np.zeros(4000)]
    got = [x.copy(), np.zeros(4000)]
    compile_kernel(JACOBI_1D)(*want)
    fast = compile_kernel(JACOBI_1D, script, {"vw": 8, "unroll": 2})
    fast(*got)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])  # each point summed as written
    # the loop's bounds keep every vector access inside the row: plain loads and stores, no masks
    assert "masked" not in fast.llvm_ir and "<8 x double>" in fast.llvm_ir


def test_loops_that_need_no_split_are_left_whole():
    with ir.Context():
        for text in (JACOBI_1D.replace("4000x", "4002x").replace("to 3999", "to 4001"),  # 4000 trips: 8 divides
                     JACOBI_1D.replace("1 to 3999", "0 to 7").replace("%i - 1", "%i + 1")):  # 7 trips: too few
            module = ir.Module.parse(text)
            assert affine_form(module) == (0, 0)


READS = """func.func @f(%a: memref<4002xf64>, %b: memref<4002xf64>) {
  %p = ub.poison : f64
  affine.for %i = 1 to 4001 step 4 {
    %j = affine.apply affine_map<(d0) -> (d0 - 1)>(%i)
    %k = affine.apply affine_map<(d0) -> (d0 + 2)>(%i)
    %v = vector.transfer_read %a[%j], %p : memref<4002xf64>, vector<4xf64>
    %w = vector.transfer_read %a[%k], %p : memref<4002xf64>, vector<4xf64>
    %s = arith.addf %v, %w : vector<4xf64>
    vector.transfer_write %s, %b[%i] : vector<4xf64>, memref<4002xf64>
  }
  return
}"""


def test_transfers_are_marked_in_bounds_only_where_every_step_stays_inside():
    with ir.Context():
        module = ir.Module.parse(READS)
        assert mark_in_bounds(module) == 2
        marks = [str(op.attributes["in_bounds"]) for op in walk(module.operation) if op.name.startswith("vector.transfer")]
    # the last step is i = 3997: [3996, 4000) and [3997, 4001) are inside 4002; [3999, 4003) is not
    assert marks == ["[true]", "[false]", "[true]"]
