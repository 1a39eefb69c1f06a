"""The TensorLang dialect: loaded from its IRDL definition into an MLIR context, and its type read back.

MLIR's Python bindings give no accessor for the parameters of an IRDL-defined type, so the type is read
from its printed form, `!tensorlang.tensor<f32, [4, "N"]>`: an element type and a shape whose entries are
sizes or the names of symbolic dimensions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources

from mlir import ir
from mlir.dialects import irdl

from ..errors import KernelError

IRDL_FILE = "tensorlang.irdl.mlir"
ELEMENTS = ("f32", "f64", "i32", "i64", "i1")
FLOATS = ("f32", "f64")
_TYPE = re.compile(r"^!tensorlang\.tensor<\s*(\w+)\s*,\s*(\[.*\])\s*>$", re.DOTALL)


def definition() -> str:
    """The dialect's IRDL text (package data)."""
    return resources.files(__package__).joinpath(IRDL_FILE).read_text()


def load(context: ir.Context) -> None:
    """Register TensorLang in `context` (once per context; the definitions are copied, the IRDL module
    need not outlive the call)."""
    if context.is_registered_operation("tensorlang.matmul"):
        return
    with context, ir.Location.unknown():
        irdl.load_dialects(ir.Module.parse(definition(), context))


@dataclass(frozen=True)
class TensorType:
    """A TensorLang tensor type: element type and shape (sizes, or names of symbolic dimensions)."""

    elem: str
    shape: tuple[int | str, ...]

    @property
    def rank(self) -> int:
        return len(self.shape)

    def bound(self, sizes: dict[str, int]) -> TensorType:
        return TensorType(self.elem, tuple(sizes[d] if isinstance(d, str) else d for d in self.shape))

    def symbols(self) -> list[str]:
        return [d for d in self.shape if isinstance(d, str)]

    @property
    def storage(self) -> str:
        """The element type it is stored as: booleans as i8 (MLIR 22 cannot store i1 to memory)."""
        return "i8" if self.elem == "i1" else self.elem

    @property
    def mlir(self) -> str:
        """The builtin tensor type it lowers to (all sizes bound)."""
        return "tensor<" + "".join(f"{d}x" for d in self.shape) + self.storage + ">"

    def __str__(self) -> str:
        return f"!tensorlang.tensor<{self.elem}, [{', '.join(json.dumps(d) for d in self.shape)}]>"


def is_tensor(t: ir.Type) -> bool:
    return str(t).startswith("!tensorlang.tensor<")


def tensor_type(t: ir.Type, where: str | None = None) -> TensorType:
    """Read a TensorLang tensor type; KernelError (at `where`) for a malformed shape."""
    m = _TYPE.match(str(t))
    if not m:
        raise KernelError(f"expected a !tensorlang.tensor<elem, [dims]> type, got {t}", where)
    elem = m.group(1)
    try:
        dims = json.loads(m.group(2))
    except json.JSONDecodeError:
        dims = None
    if dims is None or not all(isinstance(d, (int, str)) and not isinstance(d, bool) for d in dims):
        raise KernelError(f"the shape of {t} must list sizes and dimension names, e.g. [4, \"N\"]", where)
    if any(isinstance(d, int) and d < 0 for d in dims):
        raise KernelError(f"the shape of {t} has a negative size", where)
    return TensorType(elem, tuple(dims))
