"""`memref.alloca_scope` as the stack save and restore it means, before the structured control flow is lowered.

MLIR lowers an alloca scope in `finalize-memref-to-llvm`, after `convert-scf-to-cf`; by then a loop inside the
scope has become several blocks, which the op's verifier refuses ("expects region #0 to have 0 or 1 blocks"). So
the scope that keeps a loop's allocas from piling up on the stack (an alloca inside a loop takes its size again on
every iteration) could not hold a loop. Here each scope becomes what MLIR's own lowering makes of it, while its
body is still one block: `llvm.intr.stacksave`, the body in an `scf.execute_region` (which may hold any number of
blocks), `llvm.intr.stackrestore`.
"""

from __future__ import annotations

from mlir import ir

from .kernel import walk


def lower(module: ir.Module) -> int:
    """Rewrite every `memref.alloca_scope` of `module` (innermost first); return how many."""
    scopes = [op for op in walk(module.operation) if op.name == "memref.alloca_scope"]
    for scope in reversed(scopes):  # (walk is pre-order: an inner scope comes after its outer one)
        _rewrite(scope)
    return len(scopes)


def _rewrite(scope: ir.Operation) -> None:
    with scope.context, scope.location:
        ptr = ir.Type.parse("!llvm.ptr")
        with ir.InsertionPoint(scope):
            save = ir.Operation.create("llvm.intr.stacksave", results=[ptr])
            region = ir.Operation.create("scf.execute_region", results=[r.type for r in scope.results], regions=1)
            ir.Operation.create("llvm.intr.stackrestore", operands=[save.result])
        body = scope.regions[0].blocks[0]
        body.append_to(region.regions[0])
        ret = body.operations[len(body.operations) - 1]
        with ir.InsertionPoint(ret):
            ir.Operation.create("scf.yield", operands=list(ret.operands))
        ret.erase()
        for old, new in zip(scope.results, region.results):
            old.replace_all_uses_with(new)
        scope.erase()
