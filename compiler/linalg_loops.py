"""Linalg ops inside loops seen as the loops they are (a scan over slices), for the analysis and every payload."""

from __future__ import annotations

from mlir import ir, passmanager

from .kernel import walk
from .raise_linalg import raise_to_linalg

_LOOP_OPS = ("scf.for", "scf.while", "affine.for")


def loops_form(module: ir.Module) -> bool:
    """A kernel whose linalg ops sit inside loops as the loops they are, in place; whether it had any.

    A front end that writes a scan as a loop over slices (torch.cumsum: an `scf.for` over columns whose body adds
    one column slice to the previous with `linalg.add` and copies it back) leaves linalg ops that no structured
    schedule can treat as the kernel's ops (each runs once per trip, on a view the trip picks), beside loops that
    the loop schedules could take but for those ops. Here every linalg op of such a kernel is lowered to its loops
    (`convert-linalg-to-loops`, the naive lowering's own order) and the views folded into the loads and stores
    (`fold-memref-alias-ops`), so the kernel is plain loops, which the affine schedules take. A kernel whose
    linalg ops are all at the function's top level is left alone. Every schedule's payload and the kernel's
    analysis see it so (compiler/schedule.py, agent/analyze.py). Loops that only tile one linalg op (a matmul
    over subviews, no linalg op outside them) are left too: they raise to the op on the whole memrefs
    (raise_linalg.py), which the structured schedules take. The views' offsets, which the fold writes as
    `affine.apply` of the loops' indices as symbols (invalid once the loops are raised), are lowered to index
    arithmetic (`lower-affine`), which the affine payload raises again as dimensions."""
    linalg = [o for o in walk(module.operation) if o.name.startswith("linalg.")]
    if not any(_inside_loop(o) for o in linalg):
        return False
    if all(_inside_loop(o) for o in linalg):
        if raise_to_linalg(ir.Module.parse(str(module), module.context)):
            return False
    passmanager.PassManager.parse("builtin.module(func.func(convert-linalg-to-loops, fold-memref-alias-ops), "
                                  "lower-affine, canonicalize, cse)", module.context).run(module.operation)
    return True


def _inside_loop(op: ir.Operation) -> bool:
    parent = op.parent
    while parent is not None and parent.name != "func.func":
        if parent.name in _LOOP_OPS:
            return True
        parent = parent.parent
    return False


__all__ = ["loops_form"]
