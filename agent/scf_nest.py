"""A kernel written as plain `scf.for` loops over memrefs, seen by what unroll-and-jam may safely do to it.

MLIR has no pass that raises `scf.for` to `affine.for` or to linalg, but it can unroll a loop and jam the
copies into its inner loop (`transform.loop.unroll_and_jam`): a hand-written matmul whose innermost loop
sums over k in one register (one dependent add chain, strided loads of B) then carries `f` independent
sums over `f` consecutive columns, which LLVM packs into vectors. Interleaving a loop's iterations inside
its inner loop is only right when no iteration reads what another one writes: `jammable` holds for a loop
without values of its own carried between iterations, whose one inner loop is innermost, whose body only
computes (arith, math) and loads and stores memrefs (arguments or buffers of the kernel's own, no views
that may alias them), whose inner loop's bounds do not depend on its index, and where every access to a
memref it writes has the loop's own index at one same position (each iteration owns its elements:
PolyBench's symm updates column j of C at rows k and i, reading B's column j, so its column loop jams). The
unroll factor must divide the trip count (scf's unroll-and-jam has no cleanup loop), and MLIR 22 also refuses
factors that do not divide the trip count of an inner loop that carries nothing (measured: a stencil's
18-row loop over 21 columns jams by 3 only; a matmul's 170 columns over a 150-step sum by 17 too).

Whether jamming pays is another question than whether it is right: `accumulates` tells an innermost loop
that carries a value from one iteration to the next (a sum in iter_args, or an element of a memref that
every iteration writes, its index not moving with the loop's) from one whose iterations are independent. Only
the first is one dependent chain that jamming splits into independent ones; the second (a stencil, a map)
LLVM already vectorises along its own index, and jamming the loop around it only breaks that up (measured:
a 512 x 512 Jacobi stencil ran at 0.10x of its naive loops jammed by 16, 0.94x by 2).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlir import ir

from neurojit.compiler.flops import loop_bounds
from neurojit.compiler.kernel import walk

_ALLOWED = ("arith.", "math.", "memref.load", "memref.store", "scf.for", "scf.yield")


@dataclass(frozen=True)
class ScfLoop:
    """One `scf.for` of the public function, in program order (outer before inner)."""
    parent: int  # the enclosing scf.for (index in the same list), -1 at the top
    trip: int  # iterations, -1 unless bounds and step are constants
    innermost: bool
    carried: bool  # it carries values from one iteration to the next (iter_args: a sum over k)
    jammable: bool  # unroll-and-jam may interleave its iterations inside its inner loop (see above)
    accumulates: bool = False  # carries a value between iterations, in iter_args or in one memref element


def scf_loops(func: ir.Operation) -> tuple[ScfLoop, ...]:
    """Every scf.for in `func`, outer before inner."""
    loops = [op for op in walk(func) if op.name == "scf.for"]
    found = []
    for op in loops:
        parent = op.parent
        while parent is not None and parent.name != "scf.for" and parent.name != "func.func":
            parent = parent.parent
        index = next((i for i, o in enumerate(loops) if parent is not None and o == parent), -1)
        inner = [o for o in walk(op) if o.name == "scf.for"]
        found.append(ScfLoop(index, _trip(op), not inner, len(op.results) > 0, _jammable(op, inner),
                             len(op.results) > 0 or _accumulates_in_memory(op)))
    return tuple(found)


def _accumulates_in_memory(op: ir.Operation) -> bool:
    """Some store in the loop writes one same element in every iteration: none of its indices depends on the
    loop's own index (`C[i, j] = C[i, j] + a * b` inside the loop over k)."""
    moving = _moving(op)
    return any(o.name == "memref.store" and not any(v in moving for v in list(o.operands)[2:]) for o in walk(op))


def _moving(op: ir.Operation) -> list[ir.Value]:
    """The loop's index and the values computed from it inside the loop (index arithmetic, a load at a moving
    index: a gather), in program order."""
    moving: list[ir.Value] = [op.regions[0].blocks[0].arguments[0]]
    for o in walk(op):
        if any(a in moving for a in o.operands):
            moving.extend(o.results)
    return moving


def _trip(op: ir.Operation) -> int:
    b = loop_bounds(op)
    if b is None or not b[2] or b[2] < 0:
        return -1
    return max(0, -(-(b[1] - b[0]) // b[2]))


def _jammable(op: ir.Operation, inner: list[ir.Operation]) -> bool:
    if len(op.results) or len(inner) != 1 or any(o.name == "scf.for" for o in walk(inner[0])):
        return False
    if op.parent.name == "func.func" and len(inner[0].results):
        # MLIR 22 refuses to unroll-and-jam a loop of the function's body around one that carries iter_args
        # ("failed to unroll and jam": a row-wise prefix sum, at every factor), though it jams the same
        # nest one loop deeper (a matmul's columns around its sum over k)
        return False
    body = list(walk(op))
    if not all(o.name.startswith(_ALLOWED) for o in body):
        return False
    iv = op.regions[0].blocks[0].arguments[0]
    if any(v in _moving(op) for v in list(inner[0].operands)[:3]):  # a triangular inner loop: MLIR refuses to jam it
        return False
    memrefs = {o.operands[1] if o.name == "memref.store" else o.operands[0] for o in body
               if o.name in ("memref.store", "memref.load")}
    if any(not isinstance(m, ir.BlockArgument) and m.owner.name not in ("memref.alloc", "memref.alloca")
           for m in memrefs):  # a view (cast, subview, transpose) may alias another memref the loop writes
        return False
    written = {o.operands[1] for o in body if o.name == "memref.store"}
    for memref in written:  # some index position holds the loop's own index in every access to it
        accesses = [list(o.operands)[2:] if o.name == "memref.store" else list(o.operands)[1:] for o in body
                    if (o.name == "memref.store" and o.operands[1] == memref)
                    or (o.name == "memref.load" and o.operands[0] == memref)]
        if not any(all(len(at) > p and at[p] == iv for at in accesses) for p in range(len(accesses[0]))):
            return False
    return True
