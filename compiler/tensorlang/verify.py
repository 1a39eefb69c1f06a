"""What IRDL cannot say about TensorLang: sizes bound, shapes that must agree, attributes in range.

IRDL checks the form of each op (its operands, results and attributes, the element types) when the text
is parsed. Here, with every symbolic dimension bound to a size: matmul's inner dimensions, broadcasting,
reduction axes, permutations, element counts, element types that suit the op, constants that match their
type. Each error is a KernelError at the op's location.
"""

from __future__ import annotations

from mlir import ir

from ..errors import KernelError
from ..kernel import location_of, walk
from .dialect import FLOATS, TensorType, is_tensor, tensor_type

BINARY = {"add", "sub", "mul", "div", "max", "min"}
UNARY = {"exp", "log", "tanh", "sqrt", "neg"}
FLOAT_UNARY = {"exp", "log", "tanh", "sqrt"}
REDUCE = {"reduce_sum", "reduce_max", "reduce_min", "reduce_mean"}
PREDICATES = ("lt", "le", "gt", "ge", "eq", "ne")
SUPPORTED = BINARY | UNARY | REDUCE | {
    "constant", "symbolic_dim", "matmul", "batch_matmul", "compare", "select", "transpose", "reshape",
    "broadcast", "copy", "print", "assert"}


def bind_dims(module: ir.Module, origin: str, dims: dict[str, int] | None) -> dict[str, int]:
    """Sizes of the symbolic dimensions: `dims` (given when compiling) over each `symbolic_dim`'s `size`."""
    declared: dict[str, int | None] = {}
    where: dict[str, str | None] = {}
    for op in walk(module.operation):
        if op.name != "tensorlang.symbolic_dim":
            continue
        name = ir.StringAttr(op.attributes["name"]).value
        loc = location_of(op.location, origin)
        if name in declared:
            raise KernelError(f"symbolic dimension \"{name}\" is declared twice (first at {where[name]})", loc)
        size = op.attributes["size"] if "size" in op.attributes else None
        if size is not None and not isinstance(size.maybe_downcast(), ir.IntegerAttr):
            raise KernelError(f"the size of symbolic dimension \"{name}\" must be an integer, e.g. size = 128", loc)
        declared[name], where[name] = (ir.IntegerAttr(size).value if size is not None else None), loc
    unknown = sorted(set(dims or {}) - set(declared))
    if unknown:
        have = ", ".join(declared) or "none"
        raise KernelError(f"{origin}: dims names {', '.join(unknown)}, which the kernel does not declare "
                          f"(its symbolic dimensions: {have})")
    sizes = {}
    for name, size in declared.items():
        size = (dims or {}).get(name, size)
        if size is None:
            raise KernelError(f"symbolic dimension \"{name}\" has no size: give one when compiling (dims={{'{name}': "
                              "...}) or as its default (size = ...)", where[name])
        if not isinstance(size, int) or size < 1:
            raise KernelError(f"symbolic dimension \"{name}\" must be a positive size, got {size}", where[name])
        sizes[name] = size
    return sizes


def bound_type(v: ir.Value | ir.Type, sizes: dict[str, int], where: str | None) -> TensorType:
    t = tensor_type(v if isinstance(v, ir.Type) else v.type, where)
    missing = [d for d in t.symbols() if d not in sizes]
    if missing:
        raise KernelError(f"{t} names dimension \"{missing[0]}\", which no tensorlang.symbolic_dim declares", where)
    return t.bound(sizes)


def broadcast(shapes: list[tuple[int, ...]]) -> tuple[int, ...] | None:
    """numpy's broadcast shape, or None where the shapes do not broadcast."""
    rank = max(len(s) for s in shapes)
    out = []
    for k in range(rank):
        sizes = {s[len(s) - rank + k] for s in shapes if len(s) - rank + k >= 0} - {1}
        if len(sizes) > 1:
            return None
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def check_function(func: ir.Operation, origin: str, sizes: dict[str, int]) -> None:
    """Check every op of a TensorLang function (its types bound by `sizes`)."""
    where = location_of(func.location, origin)
    ftype = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
    args = list(func.regions[0].blocks[0].arguments)
    for i, t in enumerate(list(ftype.inputs) + list(ftype.results)):
        kind = "argument" if i < len(ftype.inputs) else "result"
        at = location_of(args[i].location, origin) if i < len(args) else where
        if not is_tensor(t):
            raise KernelError(f"{kind} types of a TensorLang kernel are !tensorlang.tensor, got {t}", at)
        bound_type(t, sizes, at)  # (i1 tensors are taken: numpy bools, stored as i8, lower.py `_bool_mark`)
    for op in walk(func):
        check_op(op, origin, sizes)


def check_op(op: ir.Operation, origin: str, sizes: dict[str, int]) -> None:
    where = location_of(op.location, origin)
    if op.name in ("func.return",):
        return
    if not op.name.startswith("tensorlang."):
        raise KernelError(f"{op.name} is not part of TensorLang; a TensorLang kernel is straight-line "
                          "tensorlang ops ending in func.return", where)
    kind = op.name.split(".", 1)[1]
    ins = [bound_type(v, sizes, where) for v in op.operands]
    outs = [bound_type(v, sizes, where) for v in op.results if is_tensor(v.type)]

    def fail(msg: str):
        raise KernelError(f"{op.name}: {msg}", where)

    def same_elem(*types: TensorType):
        if len({t.elem for t in types}) > 1:
            fail(f"element types differ ({', '.join(t.elem for t in types)})")

    def shape_is(t: TensorType, want: tuple[int, ...], what: str = "the result"):
        if tuple(t.shape) != tuple(want):
            fail(f"{what} must have shape {list(want)}, has {list(t.shape)}")

    if kind in BINARY:
        same_elem(*ins, *outs)
        if ins[0].elem == "i1":
            fail("arithmetic on i1 tensors; compare or select instead")
        b = broadcast([ins[0].shape, ins[1].shape])
        if b is None:
            fail(f"operand shapes {list(ins[0].shape)} and {list(ins[1].shape)} do not broadcast")
        shape_is(outs[0], b)
    elif kind == "compare":
        pred = ir.StringAttr(op.attributes["predicate"]).value
        if pred not in PREDICATES:
            fail(f"predicate \"{pred}\" is none of {', '.join(PREDICATES)}")
        same_elem(*ins)
        if ins[0].elem == "i1" and pred not in ("eq", "ne"):
            fail("i1 tensors compare only with eq and ne")
        if outs[0].elem != "i1":
            fail(f"the result is an i1 tensor, not {outs[0].elem}")
        b = broadcast([ins[0].shape, ins[1].shape])
        if b is None:
            fail(f"operand shapes {list(ins[0].shape)} and {list(ins[1].shape)} do not broadcast")
        shape_is(outs[0], b)
    elif kind == "select":
        if ins[0].elem != "i1":
            fail(f"the condition is an i1 tensor, not {ins[0].elem}")
        same_elem(ins[1], ins[2], outs[0])
        b = broadcast([t.shape for t in ins])
        if b is None:
            fail("condition and operand shapes do not broadcast")
        shape_is(outs[0], b)
    elif kind in UNARY:
        same_elem(ins[0], outs[0])
        if kind in FLOAT_UNARY and ins[0].elem not in FLOATS:
            fail(f"needs a floating-point tensor, got {ins[0].elem}")
        if ins[0].elem == "i1":
            fail("arithmetic on i1 tensors")
        shape_is(outs[0], ins[0].shape)
    elif kind in REDUCE:
        same_elem(ins[0], outs[0])
        if ins[0].elem == "i1" or (kind == "reduce_mean" and ins[0].elem not in FLOATS):
            fail(f"cannot reduce a tensor of {ins[0].elem}" + (" (mean needs floating point)" if kind == "reduce_mean" else ""))
        axis = _axis(op, ins[0].rank, fail)
        keep = "keepdims" in op.attributes
        want = [1 if (k == axis and keep) else d for k, d in enumerate(ins[0].shape) if k != axis or keep]
        shape_is(outs[0], tuple(want))
    elif kind in ("matmul", "batch_matmul"):
        rank = 2 if kind == "matmul" else 3
        a, b = ins
        same_elem(a, b, outs[0])
        if a.elem == "i1":
            fail("arithmetic on i1 tensors")
        if a.rank != rank or b.rank != rank:
            fail(f"takes rank-{rank} tensors, got shapes {list(a.shape)} and {list(b.shape)}")
        if a.shape[-1] != b.shape[-2]:
            fail(f"inner dimensions differ: the left operand is {list(a.shape)} and the right one {list(b.shape)} "
                 f"({a.shape[-1]} != {b.shape[-2]})")
        if rank == 3 and a.shape[0] != b.shape[0]:
            fail(f"batch dimensions differ ({a.shape[0]} != {b.shape[0]})")
        shape_is(outs[0], (*a.shape[:-1], b.shape[-1]))
    elif kind == "transpose":
        same_elem(ins[0], outs[0])
        perm = list(ir.DenseI64ArrayAttr(op.attributes["permutation"]))
        if sorted(perm) != list(range(ins[0].rank)):
            fail(f"permutation {perm} is not a permutation of the {ins[0].rank} dimensions")
        shape_is(outs[0], tuple(ins[0].shape[p] for p in perm))
    elif kind == "reshape":
        same_elem(ins[0], outs[0])
        if _count(ins[0].shape) != _count(outs[0].shape):
            fail(f"cannot reshape {list(ins[0].shape)} to {list(outs[0].shape)}: element counts differ")
    elif kind == "broadcast":
        same_elem(ins[0], outs[0])
        if outs[0].rank < ins[0].rank or broadcast([ins[0].shape, outs[0].shape]) != tuple(outs[0].shape):
            fail(f"cannot broadcast {list(ins[0].shape)} to {list(outs[0].shape)}")
    elif kind in ("copy", "print"):
        for o in outs:
            if o != ins[0]:
                fail(f"results must have the operand's type {ins[0]}, got {o}")
    elif kind == "assert":
        if ins[0].elem != "i1":
            fail(f"asserts on an i1 tensor (from tensorlang.compare), got {ins[0].elem}")
    elif kind == "constant":
        value = op.attributes["value"]
        if not isinstance(value.maybe_downcast(), ir.DenseElementsAttr):
            fail("value must be a dense<...> : tensor<...> attribute")
        t = ir.RankedTensorType(ir.DenseElementsAttr(value).type)
        if str(t.element_type) != outs[0].elem or tuple(t.shape) != tuple(outs[0].shape):
            fail(f"value has type {t}, the result is {outs[0].mlir}")
    elif kind != "symbolic_dim":
        fail(f"is not supported by this compiler (it knows {', '.join(sorted(SUPPORTED))})")


def _axis(op: ir.Operation, rank: int, fail) -> int:
    axis = ir.IntegerAttr(op.attributes["axis"]).value
    if not -rank <= axis < rank:
        fail(f"axis {axis} is out of range for a rank-{rank} tensor")
    return axis % rank


def axis_of(op: ir.Operation, rank: int) -> int:
    return ir.IntegerAttr(op.attributes["axis"]).value % rank


def _count(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n
