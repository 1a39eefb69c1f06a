"""Front doors (DESIGN §2): kernels as people write them, converted to the kernel convention when read.

Three forms come in besides the convention:
  - a public function on static tensors (or memrefs) that *returns* its results, as torch-mlir, IREE and
    StableHLO users write it (`convention.py` bufferizes it: results become output arguments, inputs stay
    read-only);
  - TensorLang (`*.tl.mlir`, the IRDL dialect in `tensorlang/`): verified (linearity, shapes), lowered to
    linalg on tensors, then as above;
  - any kernel with `cf.assert`: the assertions become a status output the runtime reads (`status.py`).

What form a text is, is decided from the text alone (nothing is parsed in this process: MLIR is built
with assertions and aborts on some input). The conversion parses and runs passes, so it runs in a child
process, which also runs the whole lowering of the result once (what `preflight` would do); the converted
text is then known good. Conversions are remembered per process.
"""

from __future__ import annotations

import enum
import json
import re
import sys
import threading

from . import errors
from .classify import code_lines
from .kernel import ir_hash
from . import source
from .source import Source

_cache: dict[str, Source] = {}
_lock = threading.Lock()


class Form(enum.StrEnum):
    CONVENTION = "convention"  # DESIGN §2 as it stands (possibly with cf.assert)
    TENSOR = "tensor"  # a public function that returns its results
    TENSORLANG = "tensorlang"  # TensorLang, the seeds' tensor dialect


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _scan(text: str) -> tuple[str, set[str]]:
    """(the code without comments and with every string literal emptied, the ops written in generic form:
    string literals followed by an opening parenthesis). Strings are emptied so that a message or a label
    that mentions an op is not taken for one."""
    code = "\n".join(code_lines(text))
    generic = {m.group(0)[1:-1] for m in _STRING.finditer(code) if code[m.end():].lstrip().startswith("(")}
    return _STRING.sub('""', code), generic


def form_of(text: str) -> Form:
    """Which front door `text` comes through; a text that only has `cf.assert` is still CONVENTION (see
    `needs_conversion`). Textual: comments and strings are ignored, nothing is parsed."""
    return _read(text)[0]


def needs_conversion(text: str, helpers: bool = False) -> bool:
    """Whether `text` must be converted: a front-door form, a kernel with `cf.assert`, or (with `helpers`) one
    that calls helpers it defines (inlined, so that the schedules see one function's ops: `neurojit tune` asks
    for that for the user's kernel; a candidate is judged as written)."""
    form, asserts = _read(text)
    code = _scan(text)[0]
    return (form is not Form.CONVENTION or asserts or _takes_views(code) or _BOOL_BUFFER.search(code) is not None
            or _takes_scalars(code) or (helpers and _defines_helpers(code)))


def _read(text: str) -> tuple[Form, bool]:
    code, generic = _scan(text)
    asserts = re.search(r"(?<![\w.])cf\.assert\b", code) is not None or "cf.assert" in generic
    if "!tensorlang." in code or any(op.startswith("tensorlang.") for op in generic):
        return Form.TENSORLANG, asserts
    return (Form.TENSOR if _returns(code) else Form.CONVENTION), asserts


_HELPER = re.compile(r"func\.func\s+(?:private|nested)\s+@[\w$.\"-]+\s*\(")


def _defines_helpers(code: str) -> bool:
    """Does a private function have a body, and does something call? (A declaration alone is an external
    function, refused later; one with attributes is taken for a definition: a wrong guess costs one child
    process, which then inlines nothing.)"""
    if not re.search(r"(?<![\w.])(?:func\.)?call\s+@", code):
        return False
    for m in _HELPER.finditer(code):
        if "{" in code[_matching(code, m.end() - 1) + 1:].split("\n", 1)[0]:
            return True
    return False


_PRETTY = re.compile(r"func\.func\s+(?:(private|nested|public)\s+)?@[\w$.\"-]+\s*\(")
_GENERIC = re.compile(r"function_type\s*=\s*\(")


def _returns(code: str) -> bool:
    """Does a public function declare results? (Generic-form functions are counted whatever their
    visibility: a wrong guess costs one child process, which then converts nothing.)"""
    for m in _PRETTY.finditer(code):
        if m.group(1) in ("private", "nested"):
            continue
        if _arrow_after(code, m.end() - 1):
            return True
    for m in _GENERIC.finditer(code):
        end = _matching(code, m.end() - 1)
        rest = code[end + 1:].lstrip()
        if rest.startswith("->") and not rest[2:].lstrip().startswith("()"):
            return True
    return False


# a memref of i1 anywhere (an argument, an allocation): stored as bytes by the conversion (bool_storage.py)
_BOOL_BUFFER = re.compile(r"memref<(?:[\d?]+x)*i1\b")


def _takes_views(code: str) -> bool:
    """May a function take a memref with a strided layout (convention.py `_views_to_buffers`)? Any `strided<` in
    the module, an alias's too (`#L = strided<[8, 1]>`), or a memref with a layout map (`memref<4x5xf32, #map>`,
    `affine_map<(d0, d1) -> (d0 * 8 + d1)>`): a wrong guess costs one child process, which converts nothing."""
    return "strided<" in code or _LAYOUT_MAP.search(code) is not None


_LAYOUT_MAP = re.compile(r"memref<[^<>]*,\s*(?:affine_map<|#)")
# a function's header with an argument of a scalar type (`%alpha: f32`): convention.py `_scalars_to_buffers`
_SCALAR_ARG = re.compile(r"func\.func\s+(?:public\s+)?@[\w$.\"-]+\s*\([^)]*%[\w$.-]+\s*:\s*(?:f16|bf16|f32|f64|i8|i16|"
                         r"i32|i64)\b(?!\s*[x>])")


def _takes_scalars(code: str) -> bool:
    """May a public function take a scalar argument (a wrong guess costs one child process, which converts
    nothing)?"""
    return _SCALAR_ARG.search(code) is not None


def takes_scalars(text: str) -> bool:
    """Whether a function on memrefs may take scalar arguments (PolyBench's alpha): the convention makes them 0-d
    memrefs, so a candidate written as its baseline was is converted as the baseline was (the evaluator)."""
    return _takes_scalars(_scan(text)[0])


def _matching(code: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(code)):
        depth += (code[i] == "(") - (code[i] == ")")
        if depth == 0:
            return i
    return len(code)


def _arrow_after(code: str, open_at: int) -> bool:
    return code[_matching(code, open_at) + 1:].lstrip().startswith("->")


def convert(src: Source, dims: dict[str, int] | None = None, *, isolate: bool = True,
            helpers: bool = False, shapes: dict[str, tuple[int, ...]] | None = None) -> Source:
    """`src` in the kernel convention: its text converted (in a child process unless `isolate` is False),
    `original` the user's text; with `helpers`, a kernel's private helpers inlined too; `shapes` gives named
    arguments of dynamic shape static sizes first (shapes.py). Raises the KernelError the conversion met (with
    its location)."""
    if not shapes and not needs_conversion(src.text, helpers):
        if dims:
            raise errors.KernelError(f"{src.name}: dims bind the symbolic dimensions of a TensorLang kernel; "
                                     "this kernel has none")
        return src
    key = ir_hash(src.text, src.name, sorted((dims or {}).items()), sorted((shapes or {}).items()))
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    if isolate:
        text, form = _convert_isolated(src, dims, shapes)
    else:
        text, form = convert_text(src.text, src.name, dims, shapes)
    out = Source(text, src.name, src.text, form)
    with _lock:
        _cache[key] = out
    return out


def convert_text(text: str, origin: str, dims: dict[str, int] | None = None,
                 shapes: dict[str, tuple[int, ...]] | None = None) -> tuple[str, str]:
    """The conversion itself, in this process: (convention-form text, form). Only for trusted text, inside
    the child, or inside the evaluator's sandboxed worker (a candidate on tensors)."""
    from mlir import ir

    from . import convention, status
    from .kernel import parse_module

    form = form_of(text)
    if form is Form.TENSORLANG:
        from .tensorlang import to_tensor_text

        text = to_tensor_text(text, origin, dims)
    elif dims:
        raise errors.KernelError(f"{origin}: dims bind the symbolic dimensions of a TensorLang kernel; "
                                 "this kernel has none")
    with ir.Context() as ctx, ir.Location.unknown():
        module = parse_module(text, origin, ctx)
        if shapes:
            from .kernel import arg_names, the_public_function
            from .shapes import specialise

            func = the_public_function(module, origin)
            n = len(func.regions[0].blocks[0].arguments)
            specialise(module, func, arg_names(func, text, n), shapes, origin)
        names = convention.to_convention(module, origin, text)
        names = status.lower_asserts(module, origin, names)
        return convention.print_with_names(module, names), form.value


def _convert_isolated(src: Source, dims, shapes=None) -> tuple[str, str]:
    from .preflight import remember, run_child

    reply = run_child("neurojit.compiler.frontend", {"text": src.text, "origin": src.name, "dims": dims,
                                                     "shapes": shapes}, src.name, "converting to the convention")
    if not reply["ok"]:
        raise errors.rebuild(reply)
    remember(reply["text"])  # the child lowered it all the way: no preflight needed
    return reply["text"], reply["form"]


def _child() -> int:
    from .preflight import child_reply, lower_all_the_way

    req = json.loads(sys.stdin.read())

    def work() -> dict:
        shapes = {k: tuple(v) for k, v in (req.get("shapes") or {}).items()}
        text, form = convert_text(req["text"], req["origin"], req.get("dims"), shapes)
        lower_all_the_way(Source(text, req["origin"], req["text"], form))
        return {"text": text, "form": form}

    print(json.dumps(child_reply(req["origin"], work)))
    return 0


source.install_front_door(needs_conversion, convert)


if __name__ == "__main__":
    sys.exit(_child())
