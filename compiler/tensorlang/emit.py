"""MLIR text emission for the TensorLang lowering: fresh names, locations, and the linalg shapes every op
lowering builds on (empty and filled tensors, a parallel linalg.generic with numpy broadcasting)."""

from __future__ import annotations

from ..kernel import location_of
from .dialect import TensorType


def mlir_string(s: str) -> str:
    """`s` as an MLIR string literal."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class Emitter:
    """Accumulates the body of one function as MLIR text; `computed` are values ops produced here."""

    def __init__(self, origin: str):
        self.origin = origin
        self.body: list[str] = []
        self.n = 0
        self.computed: set[str] = set()  # values ops computed here (not arguments, not constants)
        self.pending: dict[str, str] = {}  # constants not emitted yet: ssa -> its line
        self.splats: dict[str, str] = {}  # splat constants: ssa -> the scalar, e.g. "0.000000e+00 : f32"

    def fresh(self) -> str:
        self.n += 1
        return f"%_{self.n}"

    def loc(self, op_or_loc) -> str:
        loc = op_or_loc.location if hasattr(op_or_loc, "location") else op_or_loc
        where = location_of(loc, self.origin)
        if not where:
            return ""
        path, line, col = where.rsplit(":", 2)
        return f" loc({mlir_string(path)}:{line}:{col})"

    def emit(self, line: str) -> None:
        self.body.append("    " + line)

    def empty(self, t: TensorType, loc: str) -> str:
        e = self.fresh()
        self.emit(f"{e} = tensor.empty() : {t.mlir}{loc}")
        return e

    def filled(self, t: TensorType, value: str, loc: str) -> str:
        e, c, f = self.empty(t, loc), self.fresh(), self.fresh()
        self.emit(f"{c} = arith.constant {value}{loc}")
        self.emit(f"{f} = linalg.fill ins({c} : {t.storage}) outs({e} : {t.mlir}) -> {t.mlir}{loc}")
        return f

    def broadcast_operand(self, ssa: str, t: TensorType, out_shape: tuple[int, ...], loc: str):
        """(value, map results) of an operand broadcast to `out_shape`: size-1 dimensions that broadcast
        are collapsed away, so the map only drops and reorders loop dimensions."""
        off = len(out_shape) - t.rank
        kept = [k for k in range(t.rank) if not (t.shape[k] == 1 and out_shape[off + k] != 1)]
        exprs = [f"d{off + k}" for k in kept]
        if len(kept) == t.rank:
            return ssa, exprs
        groups, pending = [], []
        for k in range(t.rank):
            if k in kept:
                groups.append(pending + [k])
                pending = []
            else:
                pending.append(k)
        if pending and groups:
            groups[-1].extend(pending)
        small = TensorType(t.elem, tuple(t.shape[k] for k in kept))
        v = self.fresh()
        reassoc = "[" + ", ".join("[" + ", ".join(map(str, g)) + "]" for g in groups) + "]"
        self.emit(f"{v} = tensor.collapse_shape {ssa} {reassoc} : {t.mlir} into {small.mlir}{loc}")
        return v, exprs

    def generic(self, operands: list[tuple[str, TensorType]], out: TensorType, body, loc: str) -> str:
        """A parallel linalg.generic over `out`'s shape; `body(args, out_arg)` emits the scalar code and
        returns the value to yield.

        Linearity pays here: an operand of the result's type that an earlier op computed is consumed by
        this op, so the result may overwrite it; it becomes the op's `outs` and bufferizes in place (no new
        buffer for a bias add or activation after a matmul). A splat constant operand (relu's 0) becomes a
        scalar constant in the body, as a person writes it, instead of a tensor read."""
        dims = ", ".join(f"d{i}" for i in range(out.rank))
        reuse = next((i for i, (ssa, t) in enumerate(operands) if t == out and ssa in self.computed), None)
        inline = {i for i, (ssa, _) in enumerate(operands) if ssa in self.splats and ssa in self.pending}
        maps, ins, slots = [], [], []
        for i, (ssa, t) in enumerate(operands):
            if i == reuse or i in inline:
                continue
            self.materialize(ssa)
            v, exprs = self.broadcast_operand(ssa, t, out.shape, loc)
            maps.append(f"affine_map<({dims}) -> ({', '.join(exprs)})>")
            ins.append((v, TensorType(t.elem, _shape_after(t, out.shape))))
            slots.append(i)
        maps.append(f"affine_map<({dims}) -> ({dims})>")
        e, r = (operands[reuse][0] if reuse is not None else self.empty(out, loc)), self.fresh()
        iters = ", ".join(['"parallel"'] * out.rank)
        out_arg = self.fresh()
        args = {i: self.fresh() for i in slots}
        ins_text = f"ins({', '.join(v for v, _ in ins)} : {', '.join(t.mlir for _, t in ins)}) " if ins else ""
        self.emit(f"{r} = linalg.generic {{indexing_maps = [{', '.join(maps)}], iterator_types = [{iters}]}} "
                  f"{ins_text}outs({e} : {out.mlir}) {{")
        block_args = ", ".join(f"{args[i]}: {t.storage}" for i, (_, t) in zip(slots, ins))
        self.body.append(f"    ^bb0({block_args}{', ' if ins else ''}{out_arg}: {out.storage}):")
        for i in inline:
            ssa = operands[i][0]
            self.pending.pop(ssa)
            args[i] = self.scalar(f"arith.constant {self.splats[ssa]}")
        if reuse is not None:
            args[reuse] = out_arg
        result = body([args[i] for i in range(len(operands))], out_arg)
        self.emit(f"  linalg.yield {result} : {out.storage}")
        self.emit(f"}} -> {out.mlir}{loc}")
        self.computed.add(r)
        return r

    def materialize(self, ssa: str) -> None:
        """Emit a constant's definition when its tensor is first needed (a splat may never be)."""
        if ssa in self.pending:
            self.emit(self.pending.pop(ssa))

    def scalar(self, text: str) -> str:
        v = self.fresh()
        self.emit(f"  {v} = {text}")
        return v

def _shape_after(t: TensorType, out_shape) -> tuple[int, ...]:
    off = len(out_shape) - t.rank
    return tuple(t.shape[k] for k in range(t.rank) if not (t.shape[k] == 1 and out_shape[off + k] != 1))
