"""A kernel: parsed, verified, normalised MLIR plus its signature (DESIGN §2).

`parse_module` turns text into an `ir.Module` inside a caller-owned context, turning MLIR's diagnostics
into a `KernelError` with file:line:col. `signature_of` applies the kernel convention. `Kernel` is the
plain-data result (normalised text, signature, hash) that crosses process boundaries.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from mlir import ir
from mlir.dialects.transform import interpreter

from .dtypes import BOOL, DTYPE_ATTR, DTYPES, is_float  # noqa: F401  (DTYPES, is_float: re-exported)
from .errors import KernelError
from .source import Source, read_source

TWIN_DTYPES = {**DTYPES, "f80": "longdouble"}  # x86's extended precision: the exact twin of an f64 kernel
OUTPUT_ATTR = "neurojit.output"
# Set by the front doors (frontend.py) on the output arguments they add: which result of the user's function
# an output holds, and the assertion status (with the message and location of each assertion, in order).
RESULT_ATTR = "neurojit.result"
STATUS_ATTR = "neurojit.status"
# Runtime hooks the compiler itself declares (tensorlang.print); the only external functions a kernel may
# declare. The evaluator still refuses them in candidates.
RUNTIME_PREFIX = "__neurojit_"


@dataclass(frozen=True)
class Arg:
    name: str
    shape: tuple[int, ...]
    dtype: str  # numpy dtype name
    role: str  # "in" or "out"

    @property
    def mlir_type(self) -> str:
        elem = "i8" if self.dtype == BOOL else {v: k for k, v in TWIN_DTYPES.items()}[self.dtype]
        return f"memref<{'x'.join(map(str, self.shape))}{'x' if self.shape else ''}{elem}>"

    def to_json(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "dtype": self.dtype, "role": self.role}


@dataclass(frozen=True)
class Assertion:
    """One assertion of a kernel: status value `index + 1` means it failed first."""

    message: str
    location: str


@dataclass(frozen=True)
class Signature:
    """The public function in the kernel convention. `results` and `status` describe how the function the
    user wrote maps onto it (results[i] = index of the output argument holding its i-th result; status = index
    of the assertion-status output); they do not take part in `key()`: a candidate needs the same arguments,
    not the same annotations."""

    name: str
    args: tuple[Arg, ...]
    results: tuple[int, ...] = ()
    status: int | None = None
    asserts: tuple[Assertion, ...] = ()

    @property
    def inputs(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if a.role == "in")

    @property
    def outputs(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if a.role == "out")

    def key(self) -> tuple:
        """What must match between a baseline and a candidate: name, argument types and roles, in order."""
        return (self.name, tuple((a.shape, a.dtype, a.role) for a in self.args))

    @property
    def user_inputs(self) -> tuple[int, ...]:
        """Indices of the arguments a caller of a returning function passes: all but its results and status."""
        added = set(self.results) | ({self.status} if self.status is not None else set())
        return tuple(i for i in range(len(self.args)) if i not in added)

    def describe(self) -> str:
        args = ", ".join(f"%{a.name}: {a.mlir_type}{' (out)' if a.role == 'out' else ''}" for a in self.args)
        return f"@{self.name}({args})"


@dataclass(frozen=True)
class Kernel:
    """A verified kernel: read, checked and hashed once, then carried whole (a run, the evaluator's jobs).

    `text` is the normalised form (MLIR's own printing: no comments, canonical spacing), which the hash is
    of; `source` is the text as the user wrote it (comments and all), what models are shown and workers get.
    A kernel that came in through a front door (a function returning tensors, TensorLang, `cf.assert`) was
    converted to the convention when it was read: `source` is then the converted convention-form text,
    `original` the user's own text and `form` says which door (see frontend.py); `signature.results` and
    `signature.status` say how the user's results and assertions map onto output arguments.
    """

    text: str
    signature: Signature
    origin: str  # where it came from, for messages
    source: str = ""
    original: str = ""  # the user's text when it was converted, else ""
    form: str = "convention"  # "convention", "tensor" (returns its results) or "tensorlang"

    @property
    def hash(self) -> str:
        return ir_hash(self.text)

    @property
    def name(self) -> str:
        return self.signature.name

    @property
    def results(self) -> tuple[int, ...]:
        """For each result of the user's function, the index of the output argument that holds it."""
        return self.signature.results


def as_operation(owner):
    """The ir.Operation of a value's owner or a use's owner (the bindings hand out OpViews); a block as it is."""
    return owner.operation if not isinstance(owner, ir.Operation) and hasattr(owner, "operation") else owner


def apply_script(module: ir.Module, script_text: str) -> None:
    """Run the transform script `script_text` (one named sequence, the first op of its module) on `module`, in
    place; the interpreter's errors are raised as they come."""
    script = ir.Module.parse(script_text, module.context)
    interpreter.apply_named_sequence(module.operation, next(iter(script.body.operations)).operation, script)


def inputs_of(op) -> int:
    """How many of a linalg op's operands are its inputs (the rest are its outputs; 0 without a split)."""
    if "operandSegmentSizes" in op.attributes:
        return int(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"])[0])
    return 0


def holds_bools(t: ir.Type, kind: type = ir.ShapedType) -> bool:
    """Whether `t` is a shaped type of `kind` (a tensor, a memref) whose elements are i1."""
    return isinstance(t.maybe_downcast(), kind) and str(ir.ShapedType(t).element_type) == "i1"


def as_bytes(t: ir.Type) -> ir.Type:
    """The shaped type `t` with i8 elements: a memref keeps its layout and memory space, a tensor its shape."""
    if isinstance(t.maybe_downcast(), ir.MemRefType):
        mt = ir.MemRefType(t)
        return ir.MemRefType.get(list(mt.shape), ir.IntegerType.get_signless(8), mt.layout, mt.memory_space)
    return ir.RankedTensorType.get(list(ir.ShapedType(t).shape), ir.IntegerType.get_signless(8))


def walk(op: ir.Operation):
    """Every operation nested in `op` (not `op` itself), outer before inner, in program order: a generator over
    a list taken before the first is handed out (MLIR's own walk, which is 3-4x faster than recursing through
    regions and blocks here: the static checks, the lowering's passes in Python and the evaluator's guards all
    walk whole modules), so a caller may change the IR as it goes."""
    found: list[ir.Operation] = []

    def visit(inner: ir.Operation) -> ir.WalkResult:
        found.append(inner)
        return ir.WalkResult.ADVANCE

    op.walk(visit, ir.WalkOrder.PRE_ORDER)
    return _holding(op, found)


def _holding(root: ir.Operation, found: list[ir.Operation]):
    """`found` after its first (`root`); the generator's frame holds `root` while it is iterated: an operation
    does not keep its module alive, so `walk(parse_module(text).operation)` would otherwise hand out operations
    of a freed one."""
    yield from found[1:]


def ir_hash(text: str, *extra: object) -> str:
    h = hashlib.sha256(text.encode())
    for e in extra:
        h.update(b"\0" + repr(e).encode())
    return h.hexdigest()[:16]


def location_of(loc: ir.Location | str, origin: str) -> str | None:
    m = re.search(r'loc\("([^"]*)":(\d+):(\d+)\)', str(loc))
    if not m:
        return None
    name = origin if m.group(1) in ("-", "<string>") else m.group(1)
    return f"{name}:{m.group(2)}:{m.group(3)}"


def parse_module(text: str, origin: str = "<string>", context: ir.Context | None = None) -> ir.Module:
    """Parse and verify `text`; raise KernelError with MLIR's first diagnostic and its location."""
    ctx = context or ir.Context.current
    if not text.strip():
        raise KernelError(f"{origin}: is empty; expected an MLIR module with one public func.func")
    try:
        return ir.Module.parse(text, ctx)
    except ir.MLIRError as e:
        diags = list(e.error_diagnostics)
        if not diags:
            raise KernelError(f"{origin}: is not valid MLIR ({e.message})") from None
        d = diags[0]
        notes = "; ".join(n.message for n in d.notes)
        msg = d.message + (f" ({notes})" if notes else "")
        loc = location_of(d.location, origin)
        raise KernelError(msg if loc else f"{origin}: {msg}", loc) from None


def public_funcs(module: ir.Module) -> list[ir.Operation]:
    return [
        op.operation
        for op in module.body.operations
        if op.operation.name == "func.func"
        and "sym_visibility" not in op.operation.attributes
    ]


def arg_names(func: ir.Operation, text: str, n: int) -> list[str]:
    names = []
    lines = text.splitlines()
    for i in range(n):
        name = f"arg{i}"
        m = re.search(r'loc\("[^"]*":(\d+):(\d+)\)', str(func.regions[0].blocks[0].arguments[i].location))
        if m:
            line, col = int(m.group(1)), int(m.group(2))
            if line <= len(lines):
                hit = re.match(r"%([A-Za-z_][\w$.]*)", lines[line - 1][col - 1 :])
                if hit:
                    name = hit.group(1)
        names.append(name)
    return names


def identity_layout(mt: ir.MemRefType) -> bool:
    layout = mt.layout
    if not isinstance(layout.maybe_downcast(), ir.AffineMapAttr):
        return False
    return ir.AffineMapAttr(layout).value == ir.AffineMap.get_identity(mt.rank)


def the_public_function(module: ir.Module, origin: str = "<string>") -> ir.Operation:
    """The module's one public func.func; KernelError if there is none or more than one."""
    funcs = public_funcs(module)
    if not funcs:
        raise KernelError(f"{origin}: has no public func.func; a kernel needs exactly one (mark helpers private)")
    if len(funcs) > 1:
        names = ", ".join("@" + ir.StringAttr(f.attributes["sym_name"]).value for f in funcs)
        raise KernelError(
            f"{origin}: has {len(funcs)} public functions ({names}); keep one public and mark the others private"
        )
    return funcs[0]


def signature_of(module: ir.Module, origin: str = "<string>", text: str = "", dtypes: dict = DTYPES) -> Signature:
    """Apply the kernel convention (DESIGN §2) and return the public function's signature. `dtypes`: the
    element types taken (the evaluator's exact twins of f64 kernels also take x86's f80, `TWIN_DTYPES`)."""
    func = the_public_function(module, origin)
    for op in module.body.operations:
        op = op.operation
        if op.name == "func.func" and len(op.regions[0].blocks) == 0:
            fname = ir.StringAttr(op.attributes["sym_name"]).value
            if fname.startswith(RUNTIME_PREFIX):
                continue
            raise KernelError(
                f"function @{fname} is declared but not defined; a kernel may only call functions defined in its module",
                location_of(op.location, origin),
            )
    fname = ir.StringAttr(func.attributes["sym_name"]).value
    ftype = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"]).value)
    where = location_of(func.location, origin)
    if len(ftype.results):
        raise KernelError(f"@{fname} returns values of a type NeuroJIT cannot take ({', '.join(map(str, ftype.results))}); "
                          "return statically shaped tensors, or write the results into output memref arguments", where)
    if not len(ftype.inputs):
        raise KernelError(f"@{fname} has no arguments; a kernel takes memrefs and writes at least one output", where)
    arg_attrs = func.attributes["arg_attrs"] if "arg_attrs" in func.attributes else None
    marked = [
        arg_attrs is not None and OUTPUT_ATTR in ir.DictAttr(arg_attrs[i]) for i in range(len(ftype.inputs))
    ]
    if not any(marked):
        marked[-1] = True
    names = arg_names(func, text, len(ftype.inputs))
    results: dict[int, int] = {}
    status, asserts = None, ()
    for i in range(len(ftype.inputs)):
        attrs = ir.DictAttr(arg_attrs[i]) if arg_attrs is not None else None
        if attrs is not None and RESULT_ATTR in attrs:
            results[ir.IntegerAttr(attrs[RESULT_ATTR]).value] = i
        if attrs is not None and STATUS_ATTR in attrs:
            status, asserts = i, _assertions(attrs[STATUS_ATTR])
    if sorted(results) != list(range(len(results))) or any(not marked[i] for i in results.values()):
        raise KernelError(f"@{fname}: its {RESULT_ATTR} annotations must number the output arguments 0, 1, ...", where)
    args = []
    for i, t in enumerate(ftype.inputs):
        label = f"argument {i} (%{names[i]}) of @{fname}"
        if isinstance(t.maybe_downcast(), ir.RankedTensorType):
            raise KernelError(f"{label} is a tensor ({t}) but @{fname} returns nothing; a function on tensors "
                              "returns its results", where)
        if not isinstance(t.maybe_downcast(), ir.MemRefType):
            raise KernelError(f"{label} has type {t}; kernel arguments must be statically shaped memrefs", where)
        mt = ir.MemRefType(t)
        if not mt.has_static_shape:
            sizes = "x".join(str(d) if d >= 0 else "N" for d in mt.shape)
            raise KernelError(f"{label} has dynamic shape {t}; give every dimension a static size (on the command "
                              f"line: --shape {names[i]}={sizes}, each N a size)", where)
        if not identity_layout(mt) or mt.memory_space is not None:
            raise KernelError(f"{label} has a non-default layout or memory space ({t}); use a plain contiguous memref", where)
        elem = str(mt.element_type)
        if elem == "i1":
            raise KernelError(f"{label} is a memref of i1 the front door did not store as bytes (bool_storage.py); "
                              "pass booleans as i8 (0 or 1, numpy's bool) and compare with arith.cmpi ne 0", where)
        if elem not in dtypes:
            raise KernelError(f"{label} has unsupported element type {elem}; use one of {', '.join(DTYPES)}", where)
        dtype = dtypes[elem]
        attrs = ir.DictAttr(arg_attrs[i]) if arg_attrs is not None else None
        if attrs is not None and DTYPE_ATTR in attrs:
            dtype = ir.StringAttr(attrs[DTYPE_ATTR]).value
            if dtype != BOOL or elem != "i8":
                raise KernelError(f"{label}: {DTYPE_ATTR} = \"{dtype}\" is not taken; only \"{BOOL}\", on a memref of i8 "
                                  "(booleans stored as 0 or 1)", where)
        args.append(Arg(names[i], tuple(mt.shape), dtype, "out" if marked[i] else "in"))
    if status is not None and (not marked[status] or args[status].dtype != "int64" or args[status].shape != (1,)):
        raise KernelError(f"@{fname}: the {STATUS_ATTR} argument must be an output memref<1xi64>", where)
    return Signature(fname, tuple(args), tuple(results[k] for k in sorted(results)), status, asserts)


def _assertions(attr: ir.Attribute) -> tuple[Assertion, ...]:
    found = []
    for entry in ir.ArrayAttr(attr):
        d = ir.DictAttr(entry)
        found.append(Assertion(ir.StringAttr(d["message"]).value, ir.StringAttr(d["location"]).value))
    return tuple(found)


def load_kernel(source, context: ir.Context | None = None, *, dims: dict[str, int] | None = None) -> Kernel:
    """Read, parse, verify and check a kernel in the current (or given) MLIR context.

    Parsing and verification report errors as diagnostics; they do not abort. Passes and translation can
    abort on some inputs (MLIR is built with assertions): see `preflight` for running those isolated.
    Front-door forms (a function returning tensors, TensorLang) are converted to the convention by
    `read_source`, in a child process; `dims` binds TensorLang's symbolic dimensions.
    """
    src = read_source(source, dims=dims)
    ctx = context or ir.Context()
    with ctx, ir.Location.unknown():
        module = parse_module(src.text, src.name, ctx)
        sig = signature_of(module, src.name, src.text)
        return Kernel(str(module), sig, src.name, src.text, src.original, src.form)


def check_variant(baseline: Kernel, candidate: Kernel) -> None:
    """Raise KernelError unless `candidate` can stand in for `baseline`: same public name and argument types
    (and roles), in order (DESIGN §2)."""
    if candidate.signature.key() != baseline.signature.key():
        raise KernelError(f"{candidate.origin}: its signature differs from {baseline.origin}; a variant must keep "
                          "the public name and argument types")


__all__ = ["Arg", "Assertion", "Kernel", "Signature", "DTYPES", "is_float", "OUTPUT_ATTR", "RESULT_ATTR", "RUNTIME_PREFIX",
           "STATUS_ATTR", "check_variant", "load_kernel", "parse_module", "signature_of", "ir_hash", "Source"]
