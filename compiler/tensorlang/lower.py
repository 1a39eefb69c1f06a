"""TensorLang -> linalg on tensors, as MLIR text (a function that returns its results).

Each op becomes the linalg a person would write:
  matmul / batch_matmul -> tensor.empty + linalg.fill 0 + linalg.(batch_)matmul
  elementwise, compare, select, broadcast -> linalg.generic with broadcasting maps (a broadcast size-1
      dimension is collapsed away first, so every map is a projected permutation and vectorises)
  reduce_* -> linalg.fill (identity) + linalg.reduce; mean divides the sum; keepdims expands back
  transpose -> linalg.transpose; reshape -> tensor.collapse_shape + tensor.expand_shape
  constant -> arith.constant; copy -> nothing (tensors are values)
  print -> a call of a per-site runtime hook (printing.py); assert -> an all-reduce, then cf.assert, which
      the front door turns into the assertion status (status.py)
Booleans (i1, from compare) are stored as i8: MLIR 22's memref lowering asserts on storing i1.
Every op keeps its TensorLang location, so later errors and failed assertions point at the user's file.
The result is handed to the tensor front door (convention.py), like any function that returns tensors.
"""

from __future__ import annotations

from mlir import ir

from ..kernel import location_of
from ..dtypes import BOOL, DTYPE_ATTR
from ..printing import LABEL_ATTR, LOCATION_ATTR, PRINT_PREFIX
from .dialect import FLOATS, TensorType
from .emit import Emitter, mlir_string
from .linearity import value_name
from .verify import BINARY, REDUCE, UNARY, axis_of, bound_type

FLOAT_OPS = {"add": "arith.addf", "sub": "arith.subf", "mul": "arith.mulf", "div": "arith.divf",
             "max": "arith.maximumf", "min": "arith.minimumf"}
INT_OPS = {"add": "arith.addi", "sub": "arith.subi", "mul": "arith.muli", "max": "arith.maxsi", "min": "arith.minsi"}
FLOAT_PRED = {"lt": "olt", "le": "ole", "gt": "ogt", "ge": "oge", "eq": "oeq", "ne": "une"}
INT_PRED = {"lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge", "eq": "eq", "ne": "ne"}
MATH = {"exp": "math.exp", "log": "math.log", "tanh": "math.tanh", "sqrt": "math.sqrt"}
INT_BITS = {"i32": 32, "i64": 64}
ELEMENTWISE = BINARY | UNARY | {"compare", "select", "broadcast"}
NEG_INF = {"f32": "0xFF800000", "f64": "0xFFF0000000000000"}
POS_INF = {"f32": "0x7F800000", "f64": "0x7FF0000000000000"}


def _zero(elem: str) -> str:
    return f"0.000000e+00 : {elem}" if elem in FLOATS else ("false" if elem == "i1" else f"0 : {elem}")


def _reduce_init(kind: str, elem: str) -> str:
    if kind in ("reduce_sum", "reduce_mean"):
        return _zero(elem)
    if elem in FLOATS:
        return f"{(NEG_INF if kind == 'reduce_max' else POS_INF)[elem]} : {elem}"
    bits = INT_BITS[elem]
    return f"{-(1 << (bits - 1)) if kind == 'reduce_max' else (1 << (bits - 1)) - 1} : {elem}"


class Lowering(Emitter):
    """Lowers one verified TensorLang function; `run()` gives the whole module."""

    def __init__(self, func: ir.Operation, origin: str, sizes: dict[str, int], lines: list[str]):
        super().__init__(origin)
        self.func, self.sizes, self.lines = func, sizes, lines
        self.decls: list[str] = []  # the print hooks' declarations
        self.env: dict[ir.Value, tuple[str, TensorType]] = {}
        self.prints = 0

    def type_of(self, v: ir.Value, op) -> TensorType:
        return bound_type(v, self.sizes, location_of(op.location, self.origin))

    def run(self) -> str:
        block = self.func.regions[0].blocks[0]
        params = []
        names = set()
        for i, arg in enumerate(block.arguments):
            name = value_name(arg, self.origin, self.lines)
            if not name.startswith("%") or name in names or name[1:2].isdigit():
                name = f"%in{i}"
            names.add(name)
            t = bound_type(arg, self.sizes, None)
            self.env[arg] = (name, t)
            params.append(f"{name}: {t.mlir}{_bool_mark(t)}")
        ftype = ir.FunctionType(ir.TypeAttr(self.func.attributes["function_type"]).value)
        results = [b.mlir + _bool_mark(b) for b in (bound_type(t, self.sizes, None) for t in ftype.results)]
        for op in block.operations:
            self.lower(op.operation)
        fname = ir.StringAttr(self.func.attributes["sym_name"]).value
        head = f"  func.func @{fname}({', '.join(params)}) -> ({', '.join(results)}) {{"
        return "\n".join(["module {", head, *self.body, "  }" + self.loc(self.func), *self.decls, "}", ""])

    def lower(self, op: ir.Operation) -> None:
        kind = op.name.split(".", 1)[1] if op.name.startswith("tensorlang.") else op.name
        loc = self.loc(op)
        ins = [self.env[v] for v in op.operands]
        outs = [self.type_of(r, op) for r in op.results if str(r.type).startswith("!tensorlang")]
        if kind not in ELEMENTWISE:  # a constant is emitted where its tensor is needed (see Emitter.generic)
            for ssa, _ in ins:
                self.materialize(ssa)
        if kind == "func.return":
            vals = ins
            self.emit(f"return {', '.join(v for v, _ in vals)} : {', '.join(t.mlir for _, t in vals)}{loc}")
            return
        if kind == "symbolic_dim":
            return
        if kind in ("copy", "print"):
            if kind == "print":
                self.print(op, ins[0], loc)
            for r in op.results:
                self.env[r] = ins[0]
            return
        if kind == "assert":
            self.assertion(op, ins[0], loc)
            return
        handler = getattr(self, "op_" + kind, None)
        if handler is None:
            if kind in BINARY:
                handler = self.binary
            elif kind in UNARY:
                handler = self.unary
            elif kind in REDUCE:
                handler = self.reduce
        value = handler(op, kind, ins, outs[0], loc)
        self.env[op.results[0]] = (value, outs[0])

    def binary(self, op, kind, ins, out, loc):
        elem = out.elem

        def body(args, _):
            a, b = args
            if elem in FLOATS:
                return self.scalar(f"{FLOAT_OPS[kind]} {a}, {b} : {elem}")
            if kind != "div":
                return self.scalar(f"{INT_OPS[kind]} {a}, {b} : {elem}")
            # integer division never traps: x / 0 = 0, MIN / -1 wraps to MIN (as the hardware cannot)
            bits = INT_BITS[elem]
            zero, one = self.scalar(f"arith.constant 0 : {elem}"), self.scalar(f"arith.constant 1 : {elem}")
            m1, lo = self.scalar(f"arith.constant -1 : {elem}"), self.scalar(f"arith.constant {-(1 << (bits - 1))} : {elem}")
            bz = self.scalar(f"arith.cmpi eq, {b}, {zero} : {elem}")
            ov = self.scalar(f"arith.andi {self.scalar(f'arith.cmpi eq, {a}, {lo} : {elem}')}, "
                             f"{self.scalar(f'arith.cmpi eq, {b}, {m1} : {elem}')} : i1")
            d = self.scalar(f"arith.select {self.scalar(f'arith.ori {bz}, {ov} : i1')}, {one}, {b} : {elem}")
            return self.scalar(f"arith.select {bz}, {zero}, {self.scalar(f'arith.divsi {a}, {d} : {elem}')} : {elem}")
        return self.generic(ins, out, body, loc)

    def unary(self, op, kind, ins, out, loc):
        elem = out.elem

        def body(args, _):
            (a,) = args
            if kind in MATH:
                return self.scalar(f"{MATH[kind]} {a} : {elem}")
            if elem in FLOATS:
                return self.scalar(f"arith.negf {a} : {elem}")
            return self.scalar(f"arith.subi {self.scalar(f'arith.constant 0 : {elem}')}, {a} : {elem}")
        return self.generic(ins, out, body, loc)

    def op_compare(self, op, kind, ins, out, loc):
        pred = ir.StringAttr(op.attributes["predicate"]).value
        elem = ins[0][1].elem
        cmp = f"arith.cmpf {FLOAT_PRED[pred]}" if elem in FLOATS else f"arith.cmpi {INT_PRED[pred]}"
        storage = ins[0][1].storage

        def body(args, _):
            bit = self.scalar(f"{cmp}, {args[0]}, {args[1]} : {storage}")
            return self.scalar(f"arith.extui {bit} : i1 to i8")
        return self.generic(ins, out, body, loc)

    def op_select(self, op, kind, ins, out, loc):
        def body(a, _):
            bit = self.scalar(f"arith.trunci {a[0]} : i8 to i1")
            return self.scalar(f"arith.select {bit}, {a[1]}, {a[2]} : {out.storage}")
        return self.generic(ins, out, body, loc)

    def op_broadcast(self, op, kind, ins, out, loc):
        return self.generic(ins, out, lambda args, _: args[0], loc)

    def op_matmul(self, op, kind, ins, out, loc, name="linalg.matmul"):
        (a, ta), (b, tb) = ins
        f, r = self.filled(out, _zero(out.elem), loc), self.fresh()
        self.emit(f"{r} = {name} ins({a}, {b} : {ta.mlir}, {tb.mlir}) outs({f} : {out.mlir}) -> {out.mlir}{loc}")
        self.computed.add(r)
        return r

    def op_batch_matmul(self, op, kind, ins, out, loc):
        return self.op_matmul(op, kind, ins, out, loc, "linalg.batch_matmul")

    def reduce(self, op, kind, ins, out, loc):
        (x, tx), = ins
        axis = axis_of(op, tx.rank)
        reduced = TensorType(tx.elem, tuple(d for k, d in enumerate(tx.shape) if k != axis))
        f, r = self.filled(reduced, _reduce_init(kind, tx.elem), loc), self.fresh()
        a, acc = self.fresh(), self.fresh()
        self.emit(f"{r} = linalg.reduce ins({x} : {tx.mlir}) outs({f} : {reduced.mlir}) dimensions = [{axis}]")
        self.emit(f"  ({a}: {tx.elem}, {acc}: {tx.elem}) {{")
        combine = (FLOAT_OPS if tx.elem in FLOATS else INT_OPS)[{"reduce_sum": "add", "reduce_mean": "add",
                                                                  "reduce_max": "max", "reduce_min": "min"}[kind]]
        s = self.scalar(f"{combine} {a}, {acc} : {tx.elem}")
        self.emit(f"  linalg.yield {s} : {tx.elem}")
        self.emit(f"}}{loc}")
        self.computed.add(r)
        if kind == "reduce_mean":
            n = float(tx.shape[axis])
            r = self.generic([(r, reduced)], reduced, lambda args, _: self.scalar(
                f"arith.divf {args[0]}, {self.scalar(f'arith.constant {n!r} : {tx.elem}')} : {tx.elem}"), loc)
        if out.rank == reduced.rank:
            return r
        return self.expand(r, reduced, out, axis, loc)

    def expand(self, v: str, t: TensorType, out: TensorType, axis: int, loc: str) -> str:
        """`t` with a size-1 dimension inserted at `axis` (keepdims)."""
        if t.rank == 0:
            groups = []
        else:
            groups = [[j if j < axis else j + 1] for j in range(t.rank)]
            if axis < t.rank:
                groups[axis].insert(0, axis)
            else:
                groups[-1].append(axis)
        r = self.fresh()
        reassoc = "[" + ", ".join("[" + ", ".join(map(str, g)) + "]" for g in groups) + "]"
        self.emit(f"{r} = tensor.expand_shape {v} {reassoc} output_shape [{', '.join(map(str, out.shape))}] : "
                  f"{t.mlir} into {out.mlir}{loc}")
        return r

    def op_transpose(self, op, kind, ins, out, loc):
        (x, tx), = ins
        perm = list(ir.DenseI64ArrayAttr(op.attributes["permutation"]))
        if perm == sorted(perm):
            return x
        e, r = self.empty(out, loc), self.fresh()
        self.emit(f"{r} = linalg.transpose ins({x} : {tx.mlir}) outs({e} : {out.mlir}) "
                  f"permutation = [{', '.join(map(str, perm))}]{loc}")
        self.computed.add(r)
        return r

    def op_reshape(self, op, kind, ins, out, loc):
        (x, tx), = ins
        if tx.shape == out.shape:
            return x
        n = 1
        for d in tx.shape:
            n *= d
        flat = TensorType(tx.elem, (n,))
        v = x
        if tx.rank == 0:
            v = self.fresh()
            self.emit(f"{v} = tensor.expand_shape {x} [] output_shape [1] : {tx.mlir} into {flat.mlir}{loc}")
        elif tx.rank > 1:
            v = self.fresh()
            self.emit(f"{v} = tensor.collapse_shape {x} [[{', '.join(map(str, range(tx.rank)))}]] : "
                      f"{tx.mlir} into {flat.mlir}{loc}")
        if out.rank == 1:
            return v
        r = self.fresh()
        if out.rank == 0:
            self.emit(f"{r} = tensor.collapse_shape {v} [] : {flat.mlir} into {out.mlir}{loc}")
        else:
            self.emit(f"{r} = tensor.expand_shape {v} [[{', '.join(map(str, range(out.rank)))}]] output_shape "
                      f"[{', '.join(map(str, out.shape))}] : {flat.mlir} into {out.mlir}{loc}")
        return r

    def op_constant(self, op, kind, ins, out, loc):
        r = self.fresh()
        value = op.attributes["value"]
        dense = ir.DenseElementsAttr(value)
        if out.elem == "i1":  # stored as i8
            ints = ir.DenseIntElementsAttr(value)
            bits = [int(bool(ints[i])) for i in range(1 if ints.is_splat else len(ints))]
            value = f"dense<{str(bits[0]) if ints.is_splat else _nested(bits, out.shape)}> : {out.mlir}"
            if ints.is_splat:
                self.splats[r] = f"{bits[0]} : i8"
        elif dense.is_splat:
            self.splats[r] = str(dense.get_splat_value())
        self.pending[r] = f"{r} = arith.constant {value}{loc}"
        return r

    def print(self, op, value, loc) -> None:
        ssa, t = value
        memref = "memref<" + "".join(f"{d}x" for d in t.shape) + t.storage + ">"
        sym = f"{PRINT_PREFIX}{self.prints}"
        self.prints += 1
        label = (ir.StringAttr(op.attributes["label"]).value if "label" in op.attributes
                 else value_name(op.operands[0], self.origin, self.lines))
        where = location_of(op.location, self.origin) or ""
        b = self.fresh()
        self.emit(f"{b} = bufferization.to_buffer {ssa} read_only : {t.mlir} to {memref}{loc}")
        self.emit(f"func.call @{sym}({b}) : ({memref}) -> (){loc}")
        dtype = f", {DTYPE_ATTR} = \"bool\"" if t.elem == "i1" else ""
        self.decls.append(f"  func.func private @{sym}({memref}) attributes {{{LABEL_ATTR} = {mlir_string(label)}, "
                          f"{LOCATION_ATTR} = {mlir_string(where)}{dtype}}}")

    def assertion(self, op, value, loc) -> None:
        ssa, t = value
        message = ir.StringAttr(op.attributes["message"]).value
        flag = ssa
        if t.rank:
            scalar = TensorType("i1", ())
            f, r = self.filled(scalar, "1 : i8", loc), self.fresh()
            a, acc = self.fresh(), self.fresh()
            self.emit(f"{r} = linalg.reduce ins({ssa} : {t.mlir}) outs({f} : {scalar.mlir}) "
                      f"dimensions = [{', '.join(map(str, range(t.rank)))}]")
            self.emit(f"  ({a}: i8, {acc}: i8) {{")
            s = self.scalar(f"arith.andi {a}, {acc} : i8")
            self.emit(f"  linalg.yield {s} : i8")
            self.emit(f"}}{loc}")
            flag = r
        byte, ok = self.fresh(), self.fresh()
        self.emit(f"{byte} = tensor.extract {flag}[] : tensor<i8>{loc}")
        self.emit(f"{ok} = arith.trunci {byte} : i8 to i1{loc}")
        self.emit(f"cf.assert {ok}, {mlir_string(message)}{loc}")


def _nested(values: list[int], shape: tuple[int, ...]) -> str:
    if not shape:
        return str(values[0])
    step = len(values) // shape[0] if shape[0] else 0
    return "[" + ", ".join(_nested(values[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])) + "]"


def _bool_mark(t: TensorType) -> str:
    """A boolean argument or result, stored as i8, is marked so (`dtypes.DTYPE_ATTR`): numpy's bool to callers."""
    return f' {{{DTYPE_ATTR} = "{BOOL}"}}' if t.elem == "i1" else ""
