"""The differential build's one rewrite: constant-size stack slots move to the function's entry block.

MLIR's lowering leaves the temporaries of vector transfers (`llvm.alloca` of a vector array) inside the loop
body. LLVM's optimiser turns them into registers; at O0 nothing does, every iteration takes a fresh slot and
the stack grows with the trip count, so a correct kernel dies of a stack overflow in the O0 build only (a
1024x1024 tiled elementwise kernel did). A slot whose size is a constant is hoisted to the entry block, as a C
compiler places locals: a fresh slot per iteration holds undefined contents, so one reused slot gives the
program no behaviour it did not have (and reads of it are what the poisoned checked build catches).
"""

from __future__ import annotations

from mlir import ir


def hoist_allocas(module: ir.Module) -> int:
    """Move every constant-size `llvm.alloca` of every `llvm.func` to its entry block; return how many."""
    moved = 0
    for fn in module.body.operations:
        fn = fn.operation
        if fn.name != "llvm.func" or not fn.regions[0].blocks:
            continue
        blocks = list(fn.regions[0].blocks)
        entry = blocks[0]
        first = entry.operations[0]
        for block in blocks[1:]:
            for op in list(block.operations):
                op = op.operation
                if op.name != "llvm.alloca":
                    continue
                size = op.operands[0].owner
                if not isinstance(size, ir.OpView) and not isinstance(size, ir.Operation):
                    continue  # a block argument: a dynamic size stays where it is
                size = size.operation
                if size.name != "llvm.mlir.constant":
                    continue
                if size.block != entry:
                    const = size.clone(ir.InsertionPoint(first))
                    op.operands[0] = const.results[0]
                    size = const.operation
                op.move_after(size)
                moved += 1
    return moved
