"""What a kernel computes, as plain data the schedule library and the providers can read.

`analyze(text)` parses the kernel (it must already have passed the evaluator's baseline checks: parsing
happens in this process), generalises named ops to see every linalg op as loops + indexing maps, and
records for each op its name, iterator types, loop extents and element type. From that it classifies the
kernel: a matmul-like contraction (and its fill / elementwise consumers: a chain), an elementwise map, a
row reduction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlir import ir

from neurojit.compiler.flops import GENERALIZE, loop_sizes
from neurojit.compiler.kernel import parse_module, public_funcs, signature_of, walk
from neurojit.compiler.source import read_source


def map_results(m: str) -> list[str]:
    """The result expressions of an affine map's text: "(d0, d1, d2) -> (d0, d2 + d1)" -> ["d0", "d2 + d1"]."""
    rhs = m.split("->", 1)[1].strip()
    exprs, depth, cur = [], 0, ""
    for ch in rhs[rhs.index("(") + 1:rhs.rindex(")")]:
        if ch == "," and depth == 0:
            exprs.append(cur.strip())
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")")
        cur += ch
    return exprs + [cur.strip()] if cur.strip() else exprs


@dataclass(frozen=True)
class OpInfo:
    """One linalg op of the public function, in program order."""
    name: str  # as written: linalg.matmul, linalg.fill, linalg.generic, ...
    iterators: tuple[str, ...]  # "parallel" / "reduction" per loop (empty for ops without loops)
    extents: tuple[int, ...]  # loop extents, -1 where no operand gives one
    element: str  # element type of the first output: f32, f64, i32, i64
    maps: tuple[str, ...]  # indexing maps as text, inputs then outputs
    body: tuple[str, ...]  # op names in the body (arith.mulf, ...)

    @property
    def reductions(self) -> int:
        return sum(1 for k in self.iterators if k == "reduction")

    @property
    def is_elementwise(self) -> bool:
        return bool(self.iterators) and self.reductions == 0 and self.name != "linalg.fill"

    @property
    def is_contraction(self) -> bool:
        """A matmul-shaped contraction: 2 parallel + 1 reduction loops, a multiply-accumulate body."""
        if self.name in ("linalg.matmul",):
            return True
        return (self.name == "linalg.generic" and len(self.iterators) == 3 and self.reductions == 1
                and any("mul" in b for b in self.body) and any("add" in b for b in self.body)
                and len(self.maps) == 3)

    @property
    def is_row_reduction(self) -> bool:
        """Innermost loop reduced, the others parallel (row sum / max, a matrix-vector product), and every
        input that the reduction indexes is contiguous along it (not a batched matmul's B)."""
        if not (len(self.iterators) >= 2 and self.iterators[-1] == "reduction" and self.reductions == 1
                and not self.is_contraction):
            return False
        red = f"d{len(self.iterators) - 1}"
        for m in self.maps[:-1]:
            res = map_results(m)
            if any(re.search(rf"\b{red}\b", r) for r in res) and res[-1] != red:
                return False
        return True


@dataclass(frozen=True)
class KernelInfo:
    """A kernel's public function, classified for schedule selection."""
    name: str  # the public function's name
    ops: tuple[OpInfo, ...]
    arg_shapes: tuple[tuple[int, ...], ...]
    arg_dtypes: tuple[str, ...]
    local_buffers: int  # memref.alloc in the public function
    straight_line: bool  # only linalg ops (+ constants, allocs, deallocs) in the body

    @property
    def matmul(self) -> OpInfo | None:
        found = [op for op in self.ops if op.is_contraction]
        return found[0] if len(found) == 1 else None

    @property
    def mnk(self) -> tuple[int, int, int] | None:
        """(M, N, K) of the single matmul-like op, when there is one with known extents."""
        mm = self.matmul
        if mm is None or min(mm.extents) < 1:
            return None
        return mm.extents[0], mm.extents[1], mm.extents[2]

    @property
    def is_matmul(self) -> bool:
        """Exactly one op, a linalg.matmul."""
        return len(self.ops) == 1 and self.ops[0].name == "linalg.matmul"

    @property
    def is_matmul_chain(self) -> bool:
        """fill? -> matmul -> elementwise consumers (e.g. bias + relu), all straight-line."""
        if not self.straight_line or self.matmul is None or self.matmul.name != "linalg.matmul":
            return False
        i = self.ops.index(self.matmul)
        before, after = self.ops[:i], self.ops[i + 1:]
        return (all(op.name == "linalg.fill" for op in before) and all(op.is_elementwise for op in after)
                and len(self.ops) > 1)

    @property
    def is_elementwise(self) -> bool:
        return bool(self.ops) and all(op.is_elementwise or op.name == "linalg.fill" for op in self.ops) \
            and any(op.is_elementwise for op in self.ops)

    @property
    def has_row_reduction(self) -> bool:
        return any(op.is_row_reduction for op in self.ops)

    @property
    def is_row_reduction(self) -> bool:
        """Row reductions, fills and elementwise maps only (row_sum, row_softmax)."""
        return self.straight_line and self.has_row_reduction and all(
            op.is_row_reduction or op.is_elementwise or op.name == "linalg.fill" for op in self.ops)

    @property
    def element(self) -> str:
        return self.ops[0].element if self.ops else ""

    @property
    def element_bits(self) -> int:
        m = re.search(r"(\d+)$", self.element)
        return int(m.group(1)) if m else 32


def _public(module: ir.Module) -> ir.Operation:
    funcs = public_funcs(module)
    if not funcs:
        raise ValueError("no public function")
    return funcs[0]


def _top_linalg(module: ir.Module) -> list[ir.Operation]:
    return [o.operation for o in _public(module).regions[0].blocks[0].operations
            if o.operation.name.startswith("linalg.")]


def analyze(source) -> KernelInfo:
    """Classify a kernel (path or MLIR text) that already passed the baseline checks."""
    src = read_source(source)
    with ir.Context() as ctx, ir.Location.unknown():
        module = parse_module(src.text, src.name, ctx)
        sig = signature_of(module, src.name, src.text)
        func = _public(module)
        body = [o.operation for o in func.regions[0].blocks[0].operations]
        straight = all(o.name.startswith("linalg.") or o.name in (
            "arith.constant", "memref.alloc", "memref.dealloc", "func.return") for o in body)
        allocs = sum(1 for o in walk(func) if o.name == "memref.alloc")
        names = [op.name for op in _top_linalg(module)]
        GENERALIZE.run(module)
        ops = []
        for name, op in zip(names, _top_linalg(module)):
            ops.append(_op_info(name, op))
    return KernelInfo(sig.name, tuple(ops), tuple(a.shape for a in sig.args), tuple(a.dtype for a in sig.args),
                      allocs, straight)


def _op_info(name: str, op: ir.Operation) -> OpInfo:
    outs = [v for v in op.operands][-1]
    elem = str(getattr(outs.type.maybe_downcast(), "element_type", outs.type))
    if "iterator_types" not in op.attributes:  # ops generalisation leaves as they are (none today)
        return OpInfo(name, (), (), elem, (), ())
    kinds = tuple(re.sub(r".*<(\w+)>.*", r"\1", str(x)) for x in ir.ArrayAttr(op.attributes["iterator_types"]))
    sizes = loop_sizes(op)
    extents = tuple(sizes.get(d, -1) for d in range(len(kinds)))
    maps = tuple(str(ir.AffineMapAttr(m).value) for m in ir.ArrayAttr(op.attributes["indexing_maps"]))
    body = tuple(inner.operation.name for inner in op.regions[0].blocks[0].operations)
    return OpInfo(name, kinds, extents, elem, maps, body)
