"""The O0 build hoists constant-size stack slots: a correct vectorised kernel whose transfer temporaries sit in
the loop body must not die of a stack overflow only because nothing promotes them at O0."""

from __future__ import annotations

import numpy as np
from mlir import ir

from support.paths import KERNELS

from neurojit.compiler.build import Parsed, lower_parsed
from neurojit.compiler.jit import CompiledKernel
from neurojit.compiler.kernel import parse_module, signature_of
from neurojit.compiler.pipeline import LOWER
from neurojit.compiler.schedule import apply_schedule
from neurojit.evaluator.unoptimised import hoist_allocas

# 2-D vector tiles: the lowering of their transfers puts vector-array allocas inside the tile loops
SCRIPT = """module attributes {transform.with_named_sequence} {
transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
  %g = transform.structured.match ops{["linalg.generic"]} in %root : (!transform.any_op) -> !transform.any_op
  %t, %l:2 = transform.structured.tile_using_for %g tile_sizes [2, 32]
      : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  transform.structured.vectorize %t vector_sizes [2, 32] : !transform.any_op
  transform.yield
}
}
"""


def _lowered():
    ctx = ir.Context()
    with ctx, ir.Location.unknown():
        module = parse_module((KERNELS / "elementwise_chain.mlir").read_text(), "k", ctx)
        apply_schedule(module, SCRIPT, None, "s")
        sig = signature_of(module, "k", "")
        text = str(module)
    return lower_parsed(Parsed(module, sig, text, "k"), pipeline=LOWER)


def _allocas_outside_entry(module) -> int:
    n = 0
    for fn in module.body.operations:
        for block in list(fn.operation.regions[0].blocks)[1:] if fn.operation.name == "llvm.func" else []:
            n += sum(op.operation.name == "llvm.alloca" for op in block.operations)
    return n


def test_stack_slots_leave_the_loops_and_the_o0_build_runs_at_full_size():
    lowered = _lowered()
    before = _allocas_outside_entry(lowered.module)
    assert before > 0  # the lowering really leaves them in the loop body
    assert hoist_allocas(lowered.module) == before
    assert _allocas_outside_entry(lowered.module) == 0
    kernel = CompiledKernel(lowered, opt_level=0)
    rng = np.random.default_rng(0)
    x, y = (rng.standard_normal((1024, 1024), dtype=np.float32) for _ in range(2))
    out = np.full_like(x, np.nan)
    kernel(x, y, out)  # 16384 tile iterations: without the hoist, this overflows the stack
    np.testing.assert_allclose(out, np.maximum(x * y + x, 0) * 0.5, rtol=1e-6, atol=1e-6)
