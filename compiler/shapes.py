"""Dynamic dimensions given static sizes: `neurojit ... --shape x=64x128` (compiler/frontend.py runs it).

Front ends often emit kernels whose dimensions are dynamic (`tensor<?x768xf32>`: torch-mlir with a dynamic batch,
IREE's tests), and NeuroJIT compiles, times and schedules a kernel of one static shape. Here each named argument
of the public function gets the static type its shape gives: the block argument takes it, and a cast back to the
dynamic type (`tensor.cast`, `memref.cast`) stands for it in the body, so the function stays valid; MLIR's
canonicalisation then folds the casts into the ops and the `tensor.dim`/`memref.dim` of static values into
constants, which makes every shape inside static. A tensor result whose value became static through a cast
returns that static value (the function's result type follows). What is still dynamic afterwards (an argument
left unnamed, a result whose size the inputs do not fix) is reported by the signature check as before.
"""

from __future__ import annotations

import re

from mlir import ir, passmanager

from .errors import KernelError

_SHAPE = re.compile(r"^\d+(x\d+)*$")


def parse_shapes(items: list[str] | None) -> dict[str, tuple[int, ...]]:
    """`["x=64x128", "%w=128"]` as {"x": (64, 128), "w": (128,)}; ValueError saying what is wrong."""
    shapes: dict[str, tuple[int, ...]] = {}
    for item in items or []:
        name, sep, dims = item.partition("=")
        name = name.strip().lstrip("%")
        dims = dims.strip()
        if not sep or not name or not _SHAPE.match(dims) or any(int(d) < 1 for d in dims.split("x")):
            raise ValueError(f"--shape {item!r}: write ARG=SIZExSIZE... with the argument's name and positive sizes, "
                             "e.g. --shape x=64x128")
        if name in shapes:
            raise ValueError(f"--shape: {name} is given twice")
        shapes[name] = tuple(int(d) for d in dims.split("x"))
    return shapes


def specialise(module: ir.Module, func: ir.Operation, names: list[str], shapes: dict[str, tuple[int, ...]],
               origin: str) -> None:
    """Give the arguments of `func` named in `shapes` their static shapes, in place (see the module's docstring).
    KernelError for a name the function has no argument for, or a shape that does not fit the argument's type."""
    from mlir.dialects import memref, tensor

    shapes = {k.lstrip("%"): tuple(v) for k, v in shapes.items()}
    unknown = sorted(set(shapes) - set(names))
    if unknown:
        raise KernelError(f"{origin}: --shape names {', '.join(unknown)}, which @{_name(func)} has no argument "
                          f"called; its arguments are {', '.join(names)}")
    block = func.regions[0].blocks[0]
    ftype = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
    inputs = list(ftype.inputs)
    first = block.operations[0] if len(block.operations) else None
    for i, (arg, name) in enumerate(zip(block.arguments, names)):
        if name not in shapes:
            continue
        static = _static(arg.type, shapes[name], name, origin)
        if static is None:
            continue
        dynamic = arg.type
        arg.set_type(static)
        inputs[i] = static
        with ir.InsertionPoint(first) if first is not None else ir.InsertionPoint(block), ir.Location.unknown():
            cast = (tensor.CastOp(dynamic, arg) if isinstance(dynamic, ir.RankedTensorType)
                    else memref.CastOp(dynamic, arg))
        arg.replace_all_uses_except(cast.result, cast.operation)
    func.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(inputs, list(ftype.results)))
    try:
        passmanager.PassManager.parse("builtin.module(canonicalize, cse)", module.context).run(module.operation)
        _static_results(func)
        module.operation.verify()
    except ir.MLIRError as e:
        first = e.error_diagnostics[0].message if e.error_diagnostics else e.message
        raise KernelError(f"{origin}: the shapes given by --shape do not fit @{_name(func)}: {first}") from None


def _name(func: ir.Operation) -> str:
    return ir.StringAttr(func.attributes["sym_name"]).value


def _static(t: ir.Type, shape: tuple[int, ...], name: str, origin: str) -> ir.Type | None:
    """The static type of argument `name` (type `t`) with `shape`; None where `t` is already that type."""
    t = t.maybe_downcast() if hasattr(t, "maybe_downcast") else t
    if not isinstance(t, (ir.RankedTensorType, ir.MemRefType)):
        raise KernelError(f"{origin}: --shape {name}: the argument is a {t}, not a ranked tensor or memref")
    old = list(t.shape)
    if len(old) != len(shape) or any(d >= 0 and d != s for d, s in zip(old, shape)):
        want = "x".join("?" if d < 0 else str(d) for d in old) or "a scalar"
        raise KernelError(f"{origin}: --shape {name}={'x'.join(map(str, shape))} does not fit its type {t} "
                          f"(shape {want}: give a size for each '?' and the static sizes as they are)")
    if all(d >= 0 for d in old):
        return None
    if isinstance(t, ir.RankedTensorType):
        return ir.RankedTensorType.get(list(shape), t.element_type, t.encoding)
    if not _identity_layout(t):
        raise KernelError(f"{origin}: --shape {name}: the memref has a layout ({t.layout}); give it one without")
    return ir.MemRefType.get(list(shape), t.element_type, None, t.memory_space)


def _identity_layout(t: ir.MemRefType) -> bool:
    layout = t.layout
    return isinstance(layout.maybe_downcast(), ir.AffineMapAttr) and ir.AffineMapAttr(layout).value == \
        ir.AffineMap.get_identity(t.rank)


def _static_results(func: ir.Operation) -> None:
    """Each returned tensor that is a `tensor.cast` of a static value returns that value (result type too)."""
    ftype = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
    results = list(ftype.results)
    rets = [op for op in func.regions[0].blocks[0].operations if op.operation.name == "func.return"]
    if len(rets) != 1:
        return
    ret = rets[0].operation
    for i, value in enumerate(list(ret.operands)):
        owner = value.owner
        if not isinstance(owner, ir.OpView) and not isinstance(owner, ir.Operation):
            continue
        op = owner.operation if isinstance(owner, ir.OpView) else owner
        if op.name != "tensor.cast":
            continue
        src = op.operands[0]
        if isinstance(src.type, ir.RankedTensorType) and ir.RankedTensorType(src.type).has_static_shape:
            ret.operands[i] = src
            results[i] = src.type
    func.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(list(ftype.inputs), results))
