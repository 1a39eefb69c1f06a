"""An order-keeping loop order for the reference process: the baseline's own results, bit for bit, sooner.

A linalg op defines each output element as a sequence of updates along its reduction loops, in their
order; it does not define in which order different elements are computed. So the op is first tiled along its
parallel loops (the output's fastest-varying loop q by `Q_TILE` elements, the one before it, p, by `P_TILE`,
the others by 1: `transform.structured.tile_using_for`), and inside a tile its reduction loops are moved outside
p and q (`transform.structured.interchange`, the reduction loops keeping their relative order). Every element
is then the same IEEE operations on the same values in the same order, so the results are bit-identical to the
naive lowering, while the innermost loop runs over independent elements, which LLVM vectorises without
reassociating anything, and a tile's outputs and the slice of the inputs one reduction step reads stay in the
first-level cache. A naive 1024^3 matmul (k innermost, one dependent add chain per element) takes ~7 s a call on
a rocketlake VM; reordered without the tiles (each k step a pass over a whole row of C and of B) 0.15 s; in 8 x 64
tiles 0.054 s (its f64 twin 0.13-0.16 s).

Only straight-line kernels of linalg ops on the function's own buffers are reordered (an op whose output
is also one of its inputs, or a view, could see its own partial results in another order), and only ops
whose outputs are indexed by exactly their parallel loops, in kernels without fast-math flags. The reference process does not take this on
faith: it uses the reordered build only after it gave bit-identical outputs to the baseline's on its
first pair (reference.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlir import ir

from neurojit.compiler.errors import NeuroJITError
from neurojit.compiler.flops import GENERALIZE
from neurojit.compiler.kernel import inputs_of, parse_module, public_funcs
from neurojit.compiler.schedule import apply_schedule

ANY = "!transform.any_op"
_STRAIGHT = ("arith.constant", "memref.alloc", "memref.dealloc", "func.return")
Q_TILE = 64  # the output's fastest loop q is tiled by this many elements
P_TILE = 8  # ... and the loop before it by this many (measured on a rocketlake VM, a 1024^3 matmul, a call: f32 in
# 8 x 64 tiles 0.054 s, 4 x 64 0.06-0.07 s, 8 x 128 0.065 s, 16 x 64 0.15 s, 8 x 32 0.35 s, no tiles 0.15 s; its f64
# twin 8 x 64 0.13-0.16 s, 8 x 32 0.49 s, 4 x 128 0.16 s)


@dataclass(frozen=True)
class Plan:
    tiles: list[int]  # per loop: its tile size (0: not tiled, the reduction loops)
    order: list[int]  # the loop order inside a tile (old loop indices, outermost first)


def plan(iterators: list[str], outputs: list[list[str]]) -> Plan | None:
    """The tiles and the loop order inside them for an op with these iterator kinds and output map results, or
    None to leave it (see the module's doc)."""
    perm = order(iterators, outputs)
    if perm is None:
        return None
    q = perm[-1]
    rank = len(outputs[0])
    p = int(outputs[0][-2][1:]) if rank >= 2 else None
    parallel = [d for d, k in enumerate(iterators) if k == "parallel"]
    tiles = [0] * len(iterators)
    for d in parallel:
        tiles[d] = Q_TILE if d == q else (P_TILE if d == p else 1)
    inner = [d for d in parallel if d not in (p, q)] + [d for d, k in enumerate(iterators) if k == "reduction"]
    return Plan(tiles, inner + ([p] if p is not None else []) + [q])


def order(iterators: list[str], outputs: list[list[str]]) -> list[int] | None:
    """The loop order without tiles (old loop indices, outermost first) for an op with these iterator kinds and
    output map results, or None to leave it: the parallel loops but q, the reduction loops in their order, then q
    (the last index of the first output). None when the innermost loop is already parallel or an output is
    not indexed by exactly the parallel loops."""
    parallel = [d for d, k in enumerate(iterators) if k == "parallel"]
    reduction = [d for d, k in enumerate(iterators) if k == "reduction"]
    if not reduction or not outputs or not outputs[0] or iterators[-1] == "parallel":
        return None
    if len(parallel) + len(reduction) != len(iterators):
        return None
    for res in outputs:
        dims = [int(m.group(1)) if (m := re.fullmatch(r"d(\d+)", r)) else -1 for r in res]
        if sorted(dims) != parallel:
            return None
    q = int(outputs[0][-1][1:])
    return [d for d in parallel if d != q] + reduction + [q]


def reordered(text: str) -> str | None:
    """`text` (a kernel in the convention) with every reducing op's loops reordered as `order` says, or None
    when no op is reordered or the kernel is not one this applies to."""
    with ir.Context() as ctx, ir.Location.unknown():
        module = parse_module(text, "<reference>", ctx)
        funcs = public_funcs(module)
        if len(funcs) != 1:
            return None
        body = [o.operation for o in funcs[0].regions[0].blocks[0].operations]
        if not all(o.name.startswith("linalg.") or o.name in _STRAIGHT for o in body):
            return None
        if _fast_math(module):  # LLVM may then reassociate the naive order: the orders are not the same terms
            return None
        GENERALIZE.run(module)
        ops = [o.operation for o in funcs[0].regions[0].blocks[0].operations if o.operation.name.startswith("linalg.")]
        perms = []
        for op in ops:
            perms.append(_op_order(op))
        if not any(perms):
            return None
        script = [f'  %ops = transform.structured.match interface{{LinalgOp}} in %root : ({ANY}) -> {ANY}\n',
                  f"  {', '.join(f'%o{i}' for i in range(len(ops)))} = transform.split_handle %ops"
                  f" : ({ANY}) -> ({', '.join([ANY] * len(ops))})\n"]
        for i, found in enumerate(perms):
            if found:
                loops = sum(1 for t in found.tiles if t)
                script.append(f"  %t{i}, %l{i}:{loops} = transform.structured.tile_using_for %o{i} tile_sizes"
                              f" [{', '.join(map(str, found.tiles))}] : ({ANY}) -> ({', '.join([ANY] * (loops + 1))})\n"
                              f"  %x{i} = transform.structured.interchange %t{i} iterator_interchange"
                              f" = [{', '.join(map(str, found.order))}] : ({ANY}) -> {ANY}\n")
        try:
            apply_schedule(module, _module("".join(script)), origin="<reference order>")
        except NeuroJITError:
            return None
        return str(module)


def _fast_math(module: ir.Module) -> bool:
    """Whether any op carries fast-math flags other than `none` (a licence to reorder its terms)."""
    found = []

    def visit(op):
        for i in range(len(op.attributes)):
            a = op.attributes[i]
            if "fastmath" in a.name.lower() and "none" not in str(a.attr):
                found.append(op.name)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return bool(found)


def _op_order(op: ir.Operation) -> Plan | None:
    if op.name != "linalg.generic" or "operandSegmentSizes" not in op.attributes:
        return None
    n_in = inputs_of(op)
    operands = list(op.operands)
    ins, outs = operands[:n_in], operands[n_in:]
    # each output a buffer of its own: an argument or an allocation, not also read as an input nor written as another
    # output (one buffer as outputs at (i, j) and (j, i): element (a, b) takes updates from the points (a, b, k) and
    # (b, a, k), which the tiles, reductions outermost, interleave)
    for n, v in enumerate(outs):
        owner = v.owner
        if (not (isinstance(owner, ir.Block) or owner.name == "memref.alloc") or any(v == w for w in ins)
                or any(v == w for w in outs[:n])):
            return None
    kinds = [re.sub(r".*<(\w+)>.*", r"\1", str(x)) for x in ir.ArrayAttr(op.attributes["iterator_types"])]
    maps = [ir.AffineMapAttr(m).value for m in ir.ArrayAttr(op.attributes["indexing_maps"])]
    return plan(kinds, [[str(e) for e in m.results] for m in maps[n_in:]])


def _module(body: str) -> str:
    return ("module attributes {transform.with_named_sequence} {\n"
            "transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {\n"
            f"{body}  transform.yield\n}}\n}}\n")
