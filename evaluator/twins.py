"""Twins of a kernel: the same kernel rewritten to compute its exact result, its terms' magnitudes, and the
magnitudes its values passed through (reference.py runs them beside the baseline, compare.py reads them).

- `exact_twin`: every f32 replaced by f64 (`f64_twin`), or every f64 by x86's 80-bit extended type (`f80_twin`;
  `range_twin`: an f32 kernel's in f80, where its f64 twin overflows);
  float constants, hex constants and hex blobs of weights widened exactly (`widened`), a conversion between the
  two types made none, a rounding to f16/bf16 kept through f32.
- `magnitude_twin`: the f64 twin with differences as sums, negations as absolute values, minima and selects as
  maxima, constants as their absolute values; run on the arguments' absolute values, each output element's
  terms' magnitudes, which bound any evaluation order's rounding (and overflow) there.
- `reach_twin`: the magnitude twin with what scales down made 1: the largest magnitude a value passed through.
- `overflow_reaches_output`, `launders`: what the kernel's ops do with an overflowed (infinite) value.
"""

from __future__ import annotations

import math
import re
import struct

import numpy as np

from neurojit.compiler.dtypes import BFLOAT16


# A float type's hex literal digits, and a value to those digits (big-endian): what widening rewrites exactly
_HEX_DIGITS = {"f16": 4, "bf16": 4, "f32": 8, "f64": 16, "f80": 20}
_UNPACK = {"f16": lambda h: struct.unpack(">e", bytes.fromhex(h))[0],
           "bf16": lambda h: struct.unpack(">f", bytes.fromhex(h + "0000"))[0],  # (bf16: f32's upper half)
           "f32": lambda h: struct.unpack(">f", bytes.fromhex(h))[0],
           "f64": lambda h: struct.unpack(">d", bytes.fromhex(h))[0]}
_PACK = {"f32": lambda v: struct.pack(">f", v).hex(), "f64": lambda v: struct.pack(">d", v).hex(), "f80": lambda v: np.longdouble(v).tobytes()[:10][::-1].hex()}
_MIXED = re.compile(r"\bbitcast\b|dense_resource")  # what widening in place would change
# a conversion between the narrow and the wide type: once both are the wide type, no conversion at all (a
# kernel that computes in f64 and rounds to f32 once: its twin keeps the f64 value)
_SAME_TYPE_CONVERSION = re.compile(r"\barith\.(?:extf|truncf)\s+(%[\w#.]+)[^:\n]*:\s*(\S+)\s+to\s+(\S+)")



def widened(text: str, narrow: str, wide: str) -> str | None:
    """`text` with the float type `narrow` replaced by `wide` everywhere (hex constants and blobs rewritten
    exactly, conversions between the two dropped), or None when that would not mean the same computation
    (bitcasts, hex data it cannot widen)."""
    kind = re.compile(rf"(?:(?<=\W)|(?<=\dx)|^){narrow}\b")  # the type, alone or as a shaped type's element
    if not kind.search(text) or _MIXED.search(text):
        return None
    text = _blobs_widened(text, narrow, wide)
    if text is None:
        return None
    hex_narrow = re.compile(rf"(?<![\w.])0x([0-9A-Fa-f]{{{_HEX_DIGITS[narrow]}}})(\s*:\s*){narrow}\b")
    twin = hex_narrow.sub(lambda m: f"0x{_PACK[wide](_UNPACK[narrow](m.group(1))).upper()}{m.group(2)}{wide}", text)
    # any other hex literal (outside the blobs, done above) is data we cannot widen in place
    if any(len(h) != _HEX_DIGITS[wide] for h in re.findall(r"(?<![\w.\"])0x([0-9A-Fa-f]+)", twin)):
        return None
    twin = _SAME_TYPE_CONVERSION.sub(
        lambda m: f"builtin.unrealized_conversion_cast {m.group(1)} : {m.group(2)} to {m.group(3)}"
        if m.group(2) == m.group(3) else m.group(0), kind.sub(wide, twin))
    twin = _via_f32(twin, wide)
    return None if re.search(r"\barith\.(extf|truncf)\b(?![^\n]*\bto\b)", twin) else twin


_BLOB = re.compile(r'dense<"0x([0-9A-Fa-f]+)">')  # dense data as MLIR prints a large constant: raw little-endian
_LITTLE = {"f16": "<f2", "bf16": BFLOAT16, "f32": "<f4", "f64": "<f8"}


def _literal_element(text: str, m: re.Match) -> str | None:
    """The element type of the dense literal `m` matched in `text`: from the type after it (an arith.constant's)
    or before it (a memref.global's); None where neither is there."""
    after = re.match(r"\s*:\s*\w+<([^<>]*)>", text[m.end():m.end() + 400])  # arith.constant dense<...> : T
    before = re.search(r"\w+<([^<>]*)>\s*=\s*$", text[max(0, m.start() - 400):m.start()])  # global : T = dense
    found = after or before
    return None if found is None else found.group(1).split("x")[-1].strip()


def _blobs_widened(text: str, narrow: str, wide: str) -> str | None:
    """`text` with each hex blob of `narrow` elements (embedded weights: a memref.global or a constant) as one
    of `wide` elements; None where a blob's element type cannot be told, or is `narrow` and `wide` has no
    byte layout here (f80)."""
    out, last = [], 0
    for m in _BLOB.finditer(text):
        element = _literal_element(text, m)
        if element is None:
            return None
        if element == narrow:
            if wide not in _LITTLE:
                return None
            data = np.frombuffer(bytes.fromhex(m.group(1)), _LITTLE[narrow]).astype(_LITTLE[wide])
            out += [text[last:m.start()], f'dense<"0x{data.tobytes().hex().upper()}">']
            last = m.end()
        elif not re.fullmatch(r"[if]\d+|bf16|index", element):
            return None
    return "".join(out) + text[last:]


# a rounding to a half type, `%r = arith.truncf %x ... : T to U`
_TO_HALF = re.compile(r"(%[\w.$-]+)(\s*=\s*)arith\.truncf\s+(%[\w#.$-]+)([^:\n]*):\s*(\S+)\s+to\s+(\S*\b(?:bf16|f16)\b\S*)")


def _via_f32(twin: str, wide: str) -> str:
    """A kernel's deliberate rounding to f16 or bf16, in a twin whose value is wide, goes through f32: LLVM
    lowers a direct f64 -> f16 rounding to a call of `__truncdfhf2`, which the JIT cannot link (an f16-quantised
    kernel had no twin). Rounding the wider value to f32 first rounds twice, which can differ from once by an
    f16 ulp at an exact tie of the f32 value; the twin is a reference, within the tolerance either way."""
    if wide == "f32":  # an f16 kernel's first step (exact_twin): its roundings to bf16 are split in the second
        return twin
    count = iter(range(1 << 30))

    def split(m):
        if wide not in m.group(5):
            return m.group(0)
        mid, n = m.group(5).replace(wide, "f32"), next(count)
        return (f"%nj_half{n}{m.group(2)}arith.truncf {m.group(3)}{m.group(4)}: {m.group(5)} to {mid}\n"
                f"    {m.group(1)}{m.group(2)}arith.truncf %nj_half{n}{m.group(4)}: {mid} to {m.group(6)}")

    return _TO_HALF.sub(split, twin)


def f64_twin(text: str) -> str | None:
    """`text` with f32 replaced by f64 everywhere, or None when that would not mean the same computation."""
    return widened(text, "f32", "f64")


# IEEE maximum/minimum (NaN-propagating) have no x86_fp80 lowering: LLVM's LegalizeDAG asserts (seen: an f64
# max pooling killed the reference process); named ops whose bodies are made of them count too
_NO_F80 = re.compile(r"\b(maximumf|minimumf)\b|\blinalg\.pooling_\w+_(max|min)\b|\blinalg\.(max|min)\b")


def f80_twin(text: str) -> str | None:
    """`text` with f64 replaced by x86's 80-bit extended type (a 64-bit significand, 11 bits more than f64's:
    an f64 kernel's exact result, as f64 is an f32 kernel's), or None as `f64_twin`, or where LLVM cannot
    lower it (`_NO_F80`: IEEE maxima and minima are expanded first, those of vector reductions stay). Math functions without an f80 lowering (erf, cbrt) make it fail to compile: no twin
    either."""
    return _to_f80(text, "f64")


def range_twin(text: str) -> str | None:
    """`text` with f32 replaced by x86's 80-bit extended type, or None as `f80_twin`: an f32 kernel's exact result
    where its f64 twin overflows. A correct rewrite that keeps an intermediate in range (a stable softplus,
    max(x, 0) + log1p(exp(-|x|)), a log-softmax with the row maximum taken out) gives 1000 for x = 1000, where
    log(1 + exp(x)) is Inf in f64 too (exp(x) passes 1.8e308 above x = 709.8); f80's range reaches 1.2e4932."""
    return _to_f80(text, "f32")


def _to_f80(text: str, narrow: str) -> str | None:
    if _NO_F80.search(text):
        text = _expanded(text)
    return None if text is None or _NO_F80.search(text) else widened(text, narrow, "f80")


def _expanded(text: str) -> str | None:
    """`text` with named linalg ops as generics and IEEE maxima and minima as compares and selects (MLIR's
    `arith-expand`), which x86's 80-bit type lowers; None if MLIR cannot do it. (The expansion takes the
    second operand of two equal ones: max(+0, -0) is -0 there, +0 in IEEE; the twin is compared by
    magnitude, where the two zeros are equal.)"""
    from mlir import ir, passmanager

    with ir.Context():
        try:
            module = ir.Module.parse(text)
            passmanager.PassManager.parse("builtin.module(func.func(linalg-generalize-named-ops),arith-expand)"
                                          ).run(module.operation)
        except Exception:
            return None
        return str(module)


# per argument dtype of a kernel, what its exact twin computes in: (type, wider type, its numpy dtype)
_WIDER = {"float32": ("f32", "f64", np.float64), "float64": ("f64", "f80", np.longdouble)}


def exact_twin(text: str, dtypes) -> tuple[str | None, dict, str]:
    """(the twin's text or None, the numpy dtype each argument dtype widens to, why not) for a kernel whose
    arguments have `dtypes`: f32 kernels run in f64 (`f64_twin`), f64 kernels in f80 (`f80_twin`), f16 and bf16
    kernels (and their f32 parts: an f16 matmul accumulating in f32) in f64, widened to f32 first."""
    halves = [t for d, t in (("float16", "f16"), ("bfloat16", "bf16")) if d in dtypes]
    if halves:
        for t in halves:
            text = text if text is None else widened(text, t, "f32")
        twin = None if text is None else f64_twin(text)
        wider = {d: np.float64 for d in ("float16", "bfloat16", "float32") if d in dtypes}
        return twin, wider, "" if twin else f"its {halves[0]} computation does not convert to f64 (bitcasts or hex data)"
    for dtype in ("float32", "float64"):
        if dtype in dtypes:
            narrow, wide, np_wide = _WIDER[dtype]
            twin = f64_twin(text) if wide == "f64" else f80_twin(text)
            why = "" if twin else (
                f"its {narrow} computation has IEEE maxima or minima in vector reductions, which {wide} cannot lower"
                if wide == "f80" and _NO_F80.search(_expanded(text) or text) else
                f"its {narrow} computation does not convert to {wide} (bitcasts, conversions or hex data)")
            return twin, {dtype: np_wide}, why
    return None, {}, "it has no float arguments"


# Ops of an f64 twin that keep the magnitude twin an upper bound of each term's magnitude: sums, differences,
# products, negations and maxima of non-negative values; minima and selects become maxima (the result is one of
# the operands, so the larger bound of the two bounds it), a division by a constant stays (its magnitude is
# the dividend's over |constant|). A division by a value, an exp or a comparison that steers control flow would
# not: their results' errors depend on the values, which the twin (on magnitudes) does not have.
_MAGNITUDE_FLOAT_OPS = frozenset({
    "arith.addf", "arith.subf", "arith.mulf", "arith.negf", "arith.constant", "arith.maximumf", "arith.maxnumf",
    "arith.minimumf", "arith.minnumf",
    "math.fma", "math.absf", "vector.fma", "vector.broadcast", "vector.splat", "vector.extract", "vector.insert",
    "vector.shape_cast", "vector.transpose", "vector.load", "vector.store", "vector.transfer_read",
    "vector.transfer_write", "vector.contract", "vector.reduction", "vector.multi_reduction", "vector.outerproduct",
    "memref.load", "memref.store", "affine.load", "affine.store", "affine.vector_load", "affine.vector_store",
    "linalg.yield", "linalg.index", "scf.yield", "scf.for", "affine.for", "affine.yield", "linalg.generic",
    "linalg.map", "linalg.reduce", "tensor.extract", "tensor.insert",
    "arith.extf", "builtin.unrealized_conversion_cast"})  # exact widenings (a twin's f32 <-> f64: none at all)
_MAGNITUDE_NAMED = re.compile(r"linalg\.(matmul|batch_matmul|matvec|vecmat|dot|batch_matvec|conv_\w+|depthwise_conv_\w+|"
                              r"pooling_\w+_(sum|max|min)|add|mul|max|min|fill|copy|transpose|broadcast|contract)$")
_NEGATIVE_CONSTANT = re.compile(r"(arith\.constant\s+)-(?=[\d.]+(?:[eE][-+]?\d+)?\s*:\s*f64\b)")  # floats only
_NEGATIVE_HEX = re.compile(r"\b0x([89A-Fa-f])([0-9A-Fa-f]{15})(?=\s*:\s*f64\b)")  # -inf, -0.0, a negative bit pattern
_KINDS = re.compile(r"#vector\.kind<(\w+)>|kind\s*=\s*#vector\.kind<(\w+)>")
_COMBINERS = ("add", "mul", "maxnumf", "maximumf", "minnumf", "minimumf")
# a select of two f64 scalars, as the larger of the two (its condition is left unused)
_SELECT = re.compile(r"arith\.select\s+%[\w#.]+\s*,\s*(%[\w#.]+)\s*,\s*(%[\w#.]+)\s*:\s*f64\b")
_MIN_TO_MAX = ((re.compile(r"\barith\.minimumf\b"), "arith.maximumf"), (re.compile(r"\barith\.minnumf\b"), "arith.maxnumf"),
               # a combining kind, as an attribute (#vector.kind<minimumf>) or in an op's short form
               # (vector.reduction <minnumf>, %v)
               (re.compile(r"(?<=<)minimumf(?=>)"), "maximumf"), (re.compile(r"(?<=<)minnumf(?=>)"), "maxnumf"),
               (re.compile(r"\b(linalg\.pooling_\w+)_min\b"), r"\1_max"), (re.compile(r"\blinalg\.min\b"), "linalg.max"))


def magnitude_twin(text64: str) -> str | None:
    """The f64 twin with every subtraction an addition, every negation an absolute value, every minimum or
    select a maximum and every constant its absolute value: run on the arguments' absolute values it gives,
    per output element, the sum of the magnitudes of the terms the result is made of (|A| |B| for a matmul,
    |x| |y| + |x| for x * y + x, max(|x|, 0) for a ReLU written as a select), which bounds any evaluation
    order's rounding error element by element (compare.py). None where some float op is not one of those (a
    division by a value, an exp: their magnitudes bound nothing), a comparison steers more than selects, or a
    constant could not be made non-negative."""
    from mlir import ir

    from neurojit.compiler.kernel import parse_module, walk

    text64 = _NEGATIVE_HEX.sub(lambda m: f"0x{int(m.group(1), 16) & 7:X}{m.group(2)}", text64)
    text64 = _dense_magnitudes(text64)
    if text64 is None:
        return None
    if re.search(r"dense<[^>]*-", text64) or re.search(r"0x[89A-Fa-f][0-9A-Fa-f]{15}\b", text64):
        return None  # a negative constant it cannot make non-negative in place (a splat, an integer)
    if any(k not in _COMBINERS for m in _KINDS.finditer(text64) for k in m.groups() if k):
        return None
    def element(t):
        t = t.maybe_downcast()
        return t.element_type.maybe_downcast() if isinstance(t, ir.ShapedType) else t

    with ir.Context() as ctx, ir.Location.unknown():
        try:
            module = parse_module(text64, "<f64 twin>", ctx)
        except Exception:
            return None
        selects = 0
        for op in walk(module.operation):
            values = [*op.operands, *op.results]
            floats = any(isinstance(element(v.type), ir.FloatType) for v in values
                         if not isinstance(v.type.maybe_downcast(), (ir.MemRefType, ir.RankedTensorType)))
            if "kind" in op.attributes and not re.search(rf"\b({'|'.join(_COMBINERS)})\b", str(op.attributes["kind"])):
                return None  # a reduction or contraction by another combiner: no bound
            if op.name == "arith.select" and floats:
                if str(op.results[0].type) != "f64":
                    return None  # a vector select: not rewritten
                selects += 1
                continue
            if op.name == "arith.cmpf":  # on magnitudes it may decide otherwise: only a select of floats may use
                # it (one choosing an index, a branch or a loop bound would read or do something else)
                if all(u.owner.name == "arith.select" and str(u.owner.results[0].type) == "f64"
                       for r in op.results for u in r.uses):
                    continue
                return None
            if op.name == "arith.divf":  # by a constant or an input's element: the dividend's magnitude over
                # the divisor's, which the twin has exactly (a computed divisor's magnitude bounds it from above)
                if _constant(op.operands[1]) or _input_element(op.operands[1]):
                    continue
                return None
            allowed = op.name in _MAGNITUDE_FLOAT_OPS or bool(_MAGNITUDE_NAMED.match(op.name))
            if not allowed and (floats or op.name.startswith("linalg.")):
                return None
    text, n = _SELECT.subn(r"arith.maximumf \1, \2 : f64", text64)
    if n != selects:
        return None  # a select written in a form the rewrite did not see
    for pattern, repl in _MIN_TO_MAX:
        text = pattern.sub(repl, text)
    text = text.replace("arith.subf", "arith.addf").replace("arith.negf", "math.absf")
    return _exact_bounds_free(_NEGATIVE_CONSTANT.sub(r"\1", text))


_DENSE = re.compile(r"dense<([^<>]*)>")
_MINUS = re.compile(r"(?<![eE])-(?=[\d.]|inf)")  # a sign, not an exponent's


def _dense_magnitudes(text64: str) -> str | None:
    """Every f64 dense literal (a constant's or a global's: weights torch-mlir inlined, a filter) with its
    elements' absolute values: a hex blob's sign bits cleared, a list's minus signs dropped. Left signed, a
    matmul by inlined weights had its terms' magnitudes cancel like the result (|x| w, not |x| |w|), and a correct
    packed matmul was refused on positive inputs 16x past a bound that small. None where a literal's element
    type cannot be told; other types are left as they are (an integer table: the checks above decide)."""
    out, last = [], 0
    for m in _DENSE.finditer(text64):
        element = _literal_element(text64, m)
        if element is None:
            return None
        if element != "f64":
            continue
        body = m.group(1)
        if body.startswith('"0x'):
            data = np.frombuffer(bytes.fromhex(body[3:-1]), "<f8")
            body = f'"0x{np.abs(data).tobytes().hex().upper()}"'
        else:
            body = _MINUS.sub("", body)
        out += [text64[last:m.start()], f"dense<{body}>"]
        last = m.end()
    return "".join(out) + text64[last:]


_LOADS = ("affine.load", "memref.load")


def _constant(value) -> bool:
    from mlir import ir

    return not isinstance(value.owner, ir.Block) and value.owner.name == "arith.constant"


def _function_input(memref) -> bool:
    """An argument of the function that nothing writes: every use of it a load, or a linalg op's input."""
    from mlir import ir

    from neurojit.compiler.kernel import inputs_of

    owner = memref.owner
    if not isinstance(owner, ir.Block) or owner.owner.operation.name != "func.func":  # (a FuncOp's .name: its symbol)
        return False
    return all(u.owner.name in _LOADS or (u.owner.name.startswith("linalg.") and u.operand_number < inputs_of(u.owner))
               for u in memref.uses)


def _input_element(value) -> bool:
    """Whether a scalar is an element of an argument nothing writes, as loaded (a load of it, or a linalg
    body's argument for one of its inputs): the magnitude twin, run on the arguments' absolute values, has
    its magnitude exactly, so a division by it scales the dividend's bound exactly (a triangular solve's
    division by the diagonal). A computed divisor's twin value is a bound of its magnitude from above: the
    quotient's would not be one."""
    from mlir import ir

    from neurojit.compiler.kernel import inputs_of

    owner = value.owner
    if isinstance(owner, ir.Block):
        parent = owner.owner
        i = ir.BlockArgument(value).arg_number
        return (parent.operation.name.startswith("linalg.") and i < inputs_of(parent)
                and _function_input(parent.operands[i]))
    return owner.name in _LOADS and _function_input(owner.operands[0])


_MAXIMA = ("arith.maximumf", "arith.maxnumf")
# what may turn an overflowed (infinite) value into a finite one in a kernel with a magnitude twin: a maximum,
# minimum or select (relu(-Inf) = 0), also as a combining kind (#vector.kind<maxnumf>, vector.reduction
# <maxnumf>); its other ops (sums, products, divisions by an input's element) keep it
_LAUNDERS = re.compile(r"\barith\.(?:maximumf|maxnumf|minimumf|minnumf|select)\b"
                       r"|\blinalg\.(?:max|min|pooling_\w+_m(?:ax|in)\w*)\b|<m(?:ax|in)\w*>")


def launders(text64: str) -> bool:
    """Whether some op of a (twin) kernel with a magnitude twin may turn an overflowed value into a finite one:
    a maximum, a minimum or a select (compare.py's rule 2)."""
    return bool(_LAUNDERS.search(text64))


_MINIMA = re.compile(r"\b(minimumf|minnumf)\b|\blinalg\.pooling_\w+_min\b|\blinalg\.min\b")
_LARGER = {"OGT": 0, "OGE": 0, "UGT": 0, "UGE": 0, "OLT": 1, "OLE": 1, "ULT": 1, "ULE": 1}  # the operand a max keeps


def overflow_reaches_output(text64: str) -> bool:
    """Whether an arm whose terms' magnitudes reach the range reaches the output as it is, in every op of the
    (twin) kernel: sums, products, maxima, and selects that are a maximum (torch-mlir's ReLU,
    `select(cmpf ugt x, 0), x, 0)`). Not a minimum, nor any other select, which may keep an overflowing arm
    out of the result in every order of evaluation. (Any select counted against it once: a correct reordering
    of a convolution + ReLU that overflowed a partial sum at the edge of the range was `nonfinite`.)"""
    if _MINIMA.search(text64):
        return False
    if "arith.select" not in text64:
        return True
    from mlir import ir
    from mlir.dialects import arith

    from neurojit.compiler.kernel import parse_module, walk

    with ir.Context() as ctx, ir.Location.unknown():
        for op in walk(parse_module(text64, "<twin>", ctx).operation):
            if op.name != "arith.select":
                continue
            cond, a, b = op.operands
            cmp = cond.owner
            if isinstance(cmp, ir.Block) or cmp.name != "arith.cmpf":
                return False
            larger = _LARGER.get(arith.CmpFPredicate(ir.IntegerAttr(cmp.attributes["predicate"]).value).name)
            x, y = list(cmp.operands)
            if larger is None or (a, b) != ((x, y) if larger == 0 else (y, x)):
                return False
    return True


F32_MAX = float(np.finfo(np.float32).max)


def _exact_bounds_free(text: str) -> str | None:
    """The magnitude twin with every float constant that only maxima use (a clamp's bound, a ReLU's zero, a
    select's constant arm, once those are maxima) made 0: a maximum's error is at most its operands' larger
    error, and a constant has none, so the bound is the other operand's (max(|x|, 6) would leave every element
    of a ReLU6 the bound of 6). So is every infinite or f32-max constant, whatever uses it: a reduction's
    identity (-inf filled into a max's output), not a term (as a term it would make the result infinite or
    huge, which the relative term rtol |exact| covers); kept, it made every element's magnitude infinite."""
    from mlir import ir

    from neurojit.compiler.kernel import parse_module, walk

    with ir.Context() as ctx, ir.Location.unknown():
        try:
            module = parse_module(text, "<magnitude twin>", ctx)
        except Exception:
            return None
        f64 = ir.F64Type.get()
        for op in walk(module.operation):
            if op.name != "arith.constant" or not op.results[0].uses:
                continue
            value = op.attributes["value"]
            sentinel = isinstance(value, ir.FloatAttr) and abs(ir.FloatAttr(value).value) >= F32_MAX
            if not sentinel and not all(u.owner.name in _MAXIMA for u in op.results[0].uses):
                continue
            t = op.results[0].type
            if t == f64 or (isinstance(t.maybe_downcast(), ir.VectorType) and t.maybe_downcast().element_type == f64):
                _set_f64(op, 0.0)
        return str(module)


def _set_f64(constant, value: float) -> None:
    """Make an f64 constant, scalar or vector splat, `value`."""
    from mlir import ir

    t, f64 = constant.results[0].type, ir.F64Type.get()
    attr = ir.FloatAttr.get(f64, value)
    constant.attributes["value"] = attr if t == f64 else ir.DenseElementsAttr.get_splat(t, attr)


def reach_twin(text_mag: str) -> str | None:
    """The magnitude twin with every constant that scales down made 1 (a factor below 1 of a product, a
    divisor above 1): each op of the twin is monotone in its non-negative operands, so each output element
    then bounds the magnitude of every intermediate its value passed through, not only its own. Where it
    reaches the dtype's largest value, some order of evaluation may overflow a partial sum even if the
    result is small (attention scores (Q K^T) x 0.125: a reassociated sum overflowed before the scale on
    near-limit inputs, and the output's own magnitude stayed below the range). A division by an input's
    element d divides by min(d, 1): the dividend passed through as it was (a triangular solve's row sums,
    divided by a diagonal above 1). None where nothing scales down (the magnitude twin says as much)."""
    from mlir import ir
    from mlir.dialects import arith

    from neurojit.compiler.kernel import parse_module, walk

    with ir.Context() as ctx, ir.Location.unknown():
        try:
            module = parse_module(text_mag, "<magnitude twin>", ctx)
        except Exception:
            return None
        f64, changed = ir.F64Type.get(), False
        for op in walk(module.operation):
            if op.name != "arith.constant" or not op.results[0].uses:
                continue
            t, value = op.results[0].type, op.attributes["value"]
            if t == f64 and isinstance(value, ir.FloatAttr):
                c = ir.FloatAttr(value).value
            elif (isinstance(t.maybe_downcast(), ir.VectorType) and t.maybe_downcast().element_type == f64
                  and isinstance(value, ir.DenseElementsAttr) and ir.DenseElementsAttr(value).is_splat):
                c = ir.FloatAttr(ir.DenseElementsAttr(value).get_splat_value()).value
            else:
                continue
            uses = [(u.owner.name, u.operand_number) for u in op.results[0].uses]
            down = ((0 < c < 1 and any(name == "arith.mulf" for name, _ in uses))
                    or (c > 1 and any(name == "arith.divf" and i == 1 for name, i in uses)))
            if not down:
                continue
            _set_f64(op, 1.0)
            changed = True
        for op in [op for op in walk(module.operation) if op.name == "arith.divf" and not _constant(op.operands[1])]:
            if op.operands[1].type != f64:
                return None  # a vector division (not in a baseline's naive form): no reach
            with ir.InsertionPoint(op):  # by an input's element (magnitude_twin): by min(|d|, 1)
                one = arith.ConstantOp(f64, ir.FloatAttr.get(f64, 1.0))
                op.operands[1] = arith.MinimumFOp(op.operands[1], one.result).result
            changed = True
        return str(module) if changed else None


# ---- the noise twin: random rounding -------------------------------------------------------------------------

# ops whose rounding a correct rewrite may change: a product (contracted into an FMA, it is not rounded at all), a
# quotient (a multiplication by the reciprocal), a math function (a vector polynomial of a few ulps); a sum,
# difference or product only where it accumulates (`_accumulates`: reassociated). An element's own a + c has
# one correct result whatever the order, so it stays exact in the twin: rounded at random, a deliberate
# rounding ((x + 1.5 2^23) - 1.5 2^23, a fake quantisation) looked like noise a whole step wide
_ROUNDED = re.compile(r"arith\.(?:mulf|divf|remf)$|math\.(?!absf$|copysign$)\w+$")
_ACCUMULATORS = ("arith.addf", "arith.subf", "arith.mulf")
_GOLDEN = -7046029254386353131  # 0x9E3779B97F4A7C15 as an i64: a multiplicative hash's odd constant
_SPREAD = -4658895280553007687  # 0xBF58476D1CE4E5B9 (splitmix64's): spreads the coin counter over the bits


def noise_twin(text_wide: str, narrow: str, salt: int = 0) -> str | None:
    """The exact twin (in `text_wide`: an f32 kernel's computing in f64, an f64 kernel's in f80) with each result
    a correct rewrite may round differently (`_ROUNDED`, and sums and products that accumulate) rounded to
    `narrow`, the kernel's own type, up or down at random where it is not representable (random rounding, as
    CADNA and Verificarlo do, after Vignes and Parker); the rest stays exact.
    Each coin is a hash of the result's bits, `salt` and a counter of coins kept in a global of the module,
    which calls do not reset: each call of one compiled twin is another run. Its outputs differ from the exact
    twin's by what rounding errors of the kernel's own size, carried through the kernel's own algorithm, make
    of them: little for a sum or a product, the whole value for an unstable recursion on data it amplifies
    (Levinson-Durbin, classical Gram-Schmidt, an LU without pivoting). Another correct evaluation order's
    result differs from the exact one by the same kind of amplified rounding (compare.py widens rule 1 by it).
    Linalg ops become affine loops first, so their bodies' ops are seen (and the counter is read and written
    in loops, not in a linalg body); vector ops are left exact. None where MLIR cannot do it."""
    from mlir import ir, passmanager
    from mlir.dialects import arith, math
    from mlir.dialects import memref as memref_d

    from neurojit.compiler.kernel import walk

    with ir.Context(), ir.Location.unknown():
        try:
            module = ir.Module.parse(text_wide)
            loops = "builtin.module(func.func(linalg-generalize-named-ops,convert-linalg-to-affine-loops))"
            passmanager.PassManager.parse(loops).run(module.operation)
        except Exception:
            return None
        wt = ir.F64Type.get() if narrow == "f32" else ir.Type.parse("f80")
        nt = ir.F32Type.get() if narrow == "f32" else ir.F64Type.get()
        wbits = ir.IntegerType.get_signless(64 if narrow == "f32" else 80)
        nbits = ir.IntegerType.get_signless(32 if narrow == "f32" else 64)
        i64, i1 = ir.IntegerType.get_signless(64), ir.IntegerType.get_signless(1)
        counter_t = ir.MemRefType.get([], i64)
        with ir.InsertionPoint.at_block_begin(module.body):
            memref_d.GlobalOp("nj_noise_coins", ir.TypeAttr.get(counter_t), sym_visibility="private",
                              initial_value=ir.DenseElementsAttr.get_splat(ir.RankedTensorType.get([], i64),
                                                                           ir.IntegerAttr.get(i64, 0)))
        counters: dict = {}  # per function, its handle of the global
        for op in walk(module.operation):
            if len(op.results) != 1 or op.results[0].type != wt:
                continue
            if not (_ROUNDED.match(op.name) or (op.name in _ACCUMULATORS and _accumulates(op))):
                continue
            func = op.parent
            while func.name != "func.func":
                func = func.parent
            key = func.attributes["sym_name"].value
            if key not in counters:
                with ir.InsertionPoint.at_block_begin(func.regions[0].blocks[0]):
                    counters[key] = memref_d.GetGlobalOp(counter_t, "nj_noise_coins").result
            x = op.results[0]
            with ir.InsertionPoint.after(op):
                raw = arith.BitcastOp(wbits, x)
                near = arith.TruncFOp(nt, x)  # to nearest
                size = math.AbsFOp(x)
                back = arith.ExtFOp(wt, near.result).result
                same = arith.CmpFOp(arith.CmpFPredicate.OEQ, back, x)
                readers = [raw.operation, near.operation, size.operation, same.operation]  # the uses of x kept
                count = memref_d.LoadOp(counters[key], []).result
                memref_d.StoreOp(arith.AddIOp(count, _int(i64, 1)).result, counters[key], [])
                low = raw.result if narrow == "f32" else arith.TruncIOp(i64, raw.result).result
                key_bits = arith.XOrIOp(arith.XOrIOp(low, _int(i64, salt)).result,
                                        arith.MulIOp(count, _int(i64, _SPREAD)).result).result
                mixed = arith.MulIOp(key_bits, _int(i64, _GOLDEN)).result
                coin = arith.TruncIOp(i1, arith.ShRUIOp(mixed, _int(i64, 63)).result).result
                # kept: exact, or Inf or NaN (no neighbour past them), or the coin says so
                endless = arith.CmpFOp(arith.CmpFPredicate.UEQ, math.AbsFOp(near.result).result,
                                       _float(nt, float("inf"))).result
                keep = arith.OrIOp(arith.OrIOp(same.result, endless).result, coin).result
                # the other neighbour of x in the narrow type: one unit further from zero if |x| > |near|
                outward = arith.CmpFOp(arith.CmpFPredicate.OGT, size.result, math.AbsFOp(back).result).result
                step = arith.SelectOp(outward, _int(nbits, 1), _int(nbits, -1)).result
                other = arith.BitcastOp(nt, arith.AddIOp(arith.BitcastOp(nbits, near.result).result, step).result)
                rounded = arith.ExtFOp(wt, arith.SelectOp(keep, near.result, other.result).result)
            x.replace_all_uses_except(rounded.result, readers)
        return str(module) if counters else None


_LOOPS = ("affine.for", "scf.for", "scf.while", "affine.parallel", "scf.parallel")


def _use_names(value) -> set[str]:
    """The names of the ops that use `value`, and where it starts a loop's iteration argument (an accumulator
    seeded with it), the names of the ops that use that argument."""
    names = set()
    for u in value.uses:
        owner = u.owner
        names.add(owner.name)
        if owner.name in ("affine.for", "scf.for") and len(owner.results):
            j = u.operand_number - (len(owner.operands) - len(owner.results))  # its index among the inits
            if 0 <= j < len(owner.results):
                names |= {w.owner.name for w in owner.regions[0].blocks[0].arguments[j + 1].uses}
    return names


def _accumulates(op) -> bool:
    """Whether a sum, difference or product carries a value from one iteration to the next: an operand is a
    loop's iteration argument (`iter_args`), or is loaded from where its result is stored (`C[i, j] += ...`,
    an accumulator in a 0-d buffer): the ops a reassociation changes."""
    from mlir import ir

    for v in op.operands:
        owner = v.owner
        if isinstance(owner, ir.Block):
            if owner.owner.name in _LOOPS and ir.BlockArgument(v).arg_number >= 1:  # (0: the induction variable)
                return True
            continue
        if owner.name in ("affine.load", "memref.load"):
            place = (owner.operands[0], [str(x) for x in list(owner.operands)[1:]],
                     str(owner.attributes["map"]) if "map" in owner.attributes else "")
            for u in op.results[0].uses:
                store = u.owner
                if store.name in ("affine.store", "memref.store") and u.operand_number == 0:
                    there = (store.operands[1], [str(x) for x in list(store.operands)[2:]],
                             str(store.attributes["map"]) if "map" in store.attributes else "")
                    if there == place:
                        return True
    return False


def _int(t, value: int):
    from mlir import ir
    from mlir.dialects import arith

    return arith.ConstantOp(t, ir.IntegerAttr.get(t, value)).result


def _float(t, value: float):
    from mlir import ir
    from mlir.dialects import arith

    return arith.ConstantOp(t, ir.FloatAttr.get(t, value)).result


# the significand bits of each narrow type: a sum with a constant of 2^(bits - 2) or more rounds its other operand to
# a few fractional bits at most (the magic-constant rounding (x + 1.5 2^23) - 1.5 2^23 of f32), a product with 2^k + 1
# for k of half the bits or more splits a value into halves (Veltkamp's split, Dekker's exact products)
_SIGNIFICAND = {"f32": 24, "f64": 53}


def rounds_on_purpose(text: str) -> bool:
    """Whether the kernel may round on purpose: a sum or difference with a float constant its type cannot add to
    a value without rounding the value to an integer step (|c| >= 2^(bits - 2)), or a product with a splitting
    constant 2^k + 1 (k >= bits / 2). Random rounding (`noise_twin`) cannot tell such a rounding from noise: it
    lands on either neighbouring step, so the whole step looked like noise, and a candidate that left the
    rounding out (a fake quantisation returning its input) passed. Constants built at run time are folded first,
    and an accumulator seeded with one counts (a row sum started at 1.5 2^23 rounds every step). (A reduction's
    identity, -3.4e38 filled into a maximum's output, is no such use.)"""
    from mlir import ir

    from neurojit.compiler.kernel import walk

    from mlir import passmanager

    with ir.Context():
        try:
            module = ir.Module.parse(text)
            # constants built at run time (3 x 2^22) folded first: a literal is not the only way to write one
            passmanager.PassManager.parse("builtin.module(canonicalize)").run(module.operation)
        except Exception:
            return True  # (unread: as if it did, which keeps the checks as they were)
        for op in walk(module.operation):
            if op.name != "arith.constant":
                continue
            t = op.results[0].type
            element = t.maybe_downcast().element_type if isinstance(t.maybe_downcast(), ir.ShapedType) else t
            bits = _SIGNIFICAND.get(str(element))
            if bits is None:
                continue
            value = op.attributes["value"]
            if isinstance(value, ir.DenseElementsAttr):
                if not ir.DenseElementsAttr(value).is_splat:
                    continue
                value = ir.DenseElementsAttr(value).get_splat_value()
            size = abs(ir.FloatAttr(value).value)
            if not np.isfinite(size):
                continue
            uses = _use_names(op.results[0])
            if uses & {"arith.addf", "arith.subf"} and size >= 2.0 ** (bits - 2):
                return True
            mantissa, exponent = math.frexp(size - 1) if size > 2 else (0.0, 0)
            if "arith.mulf" in uses and mantissa == 0.5 and exponent - 1 >= bits / 2:  # size - 1 is 2^k exactly
                return True
    return False
