"""Reading kernel sources: a path or MLIR text in, (text, display name) out.

Kernels that come in through a front door (DESIGN §2: a public function that returns tensors, TensorLang,
a plain kernel with `cf.assert`) are converted to the kernel convention here, at read time, so that every
caller (compile, run, evaluate, tune, export, the evaluator's workers) sees convention-form MLIR. The
conversion parses untrusted IR, so it runs in a child process (frontend.py); `original` keeps the user's
text and `form` says which door it came through.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from .errors import SourceError

# Named ops MLIR removed (LLVM 21) that older front ends (torch-mlir, IREE) still emit: each is the op it became
# with the indexing maps that say which operand is transposed, written on the same line (error lines stay right)
_D3, _D4 = "affine_map<(d0, d1, d2) -> ", "affine_map<(d0, d1, d2, d3) -> "
UPGRADED = {
    "linalg.matmul_transpose_a": ("linalg.matmul", (_D3 + "(d2, d0)>", _D3 + "(d2, d1)>", _D3 + "(d0, d1)>")),
    "linalg.matmul_transpose_b": ("linalg.matmul", (_D3 + "(d0, d2)>", _D3 + "(d1, d2)>", _D3 + "(d0, d1)>")),
    "linalg.batch_matmul_transpose_a": ("linalg.batch_matmul",
                                        (_D4 + "(d0, d3, d1)>", _D4 + "(d0, d3, d2)>", _D4 + "(d0, d1, d2)>")),
    "linalg.batch_matmul_transpose_b": ("linalg.batch_matmul",
                                        (_D4 + "(d0, d1, d3)>", _D4 + "(d0, d2, d3)>", _D4 + "(d0, d1, d2)>")),
}
_REMOVED_OP = re.compile(r"\b(" + "|".join(re.escape(k) for k in UPGRADED) + r")(?=\s+ins\()")


def upgraded(text: str) -> str:
    """`text` with the removed transposed matmuls (UPGRADED) in their MLIR 22 form."""
    if "_transpose_" not in text:
        return text

    def new(m: re.Match) -> str:
        op, maps = UPGRADED[m.group(1)]
        return f"{op} indexing_maps = [{', '.join(maps)}]"

    return _REMOVED_OP.sub(new, text)


@dataclass(frozen=True)
class Source:
    text: str
    name: str  # file path, or "<string>" for text given directly
    original: str = ""  # the user's text when `text` is its conversion to the convention, else ""
    form: str = "convention"  # "convention", "tensor" or "tensorlang" (frontend.Form)


def read_source(source: "str | os.PathLike[str] | Source", *, dims: dict[str, int] | None = None,
                convert: bool = True, inline_helpers: bool = False,
                shapes: dict[str, tuple[int, ...]] | None = None) -> Source:
    """Accept a path or MLIR text. Text is recognised by containing a newline or an MLIR keyword.

    convert: turn front-door forms into the convention (in a child process; remembered per text); `dims`
    binds TensorLang's symbolic dimensions; `shapes` gives named arguments of dynamic shape static sizes
    (compiler/shapes.py); `inline_helpers`: a kernel's private helpers are inlined too.
    Text already in the convention (and without helpers, where asked) is returned as it is."""
    src = _read(source)
    if not convert or src.original:
        return src
    if _front_door is None:  # neurojit.compiler imports frontend, which installs it; never reached in practice
        raise RuntimeError("neurojit.compiler.frontend is not loaded; import neurojit.compiler")
    needs, convert_source = _front_door
    if not dims and not shapes and not needs(src.text, inline_helpers):
        return src
    return convert_source(src, dims, helpers=inline_helpers, shapes=shapes)


# The front door's converter, installed by compiler/frontend.py when it is imported (the package imports it).
# Reading sits below conversion: the converter runs the lowering in a child process, and the lowering reads
# sources, so this module cannot import it without a cycle.
_front_door = None


def install_front_door(needs_conversion, convert) -> None:
    """Called once by compiler/frontend.py: how to tell and convert front-door forms."""
    global _front_door
    _front_door = (needs_conversion, convert)


def _read(source) -> Source:
    if isinstance(source, Source):
        return source
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and "{" not in source
    ):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise SourceError(f"{path}: no such file; give the path of an .mlir kernel")
        if os.path.isdir(path):
            raise SourceError(f"{path}: is a directory; give the path of an .mlir kernel")
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise SourceError(f"{path}: cannot be read ({e.strerror})") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise SourceError(f"{path}: is not a text file; give an .mlir kernel") from None
        if "\x00" in text:
            raise SourceError(f"{path}: is not a text file; give an .mlir kernel")
        return Source(upgraded(text), path)
    if isinstance(source, bytes):
        source = source.decode("utf-8", errors="replace")
    if not isinstance(source, str):
        raise SourceError(f"expected a path or MLIR text, got {type(source).__name__}")
    return Source(upgraded(source), "<string>")
