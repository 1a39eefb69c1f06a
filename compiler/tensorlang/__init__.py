"""TensorLang, the seeds' tensor dialect: defined in IRDL (tensorlang.irdl.mlir), loaded at run time.

A TensorLang kernel (`*.tl.mlir`) is one public function on `!tensorlang.tensor<elem, [dims]>` values
that returns its results, written in MLIR's generic op form. `to_tensor_text` takes it to a function on
builtin tensors (linalg), which the tensor front door then brings into the kernel convention:
    parse (IRDL checks each op's form) -> VerifyLinearity -> bind symbolic dimensions -> check shapes
    -> lower to linalg on tensors.
Untrusted text: called in the front door's child process (frontend.py).
"""

from __future__ import annotations

from mlir import ir

from ..errors import KernelError
from ..kernel import location_of, parse_module, the_public_function
from .dialect import ELEMENTS, TensorType, definition, load, tensor_type
from .linearity import verify_linearity
from .lower import Lowering
from .verify import bind_dims, check_function


def parse(text: str, origin: str, context: ir.Context) -> ir.Module:
    """Parse TensorLang text in `context` (the dialect loaded first); KernelError with the location."""
    load(context)
    try:
        return parse_module(text, origin, context)
    except KernelError as e:
        if "does not satisfy the constraint" not in str(e):
            raise
        raise KernelError(f"{str(e).removeprefix(f'{e.location}: ')} of TensorLang (element types: "
                          f"{', '.join(ELEMENTS)}; a shape is a list such as [4, \"N\"])", e.location) from None


def to_tensor_text(text: str, origin: str, dims: dict[str, int] | None = None) -> str:
    """The kernel lowered to linalg on tensors, as MLIR text whose ops keep their TensorLang locations."""
    with ir.Context() as ctx, ir.Location.unknown():
        module = parse(text, origin, ctx)
        func = the_public_function(module, origin)
        for op in module.body.operations:
            op = op.operation
            if op != func:
                raise KernelError(f"a TensorLang module holds one function; {op.name} is not allowed here",
                                  location_of(op.location, origin))
        if len(func.regions[0].blocks) != 1:
            raise KernelError("a TensorLang function is one straight-line block", location_of(func.location, origin))
        verify_linearity(module, origin, text)
        sizes = bind_dims(module, origin, dims)
        check_function(func, origin, sizes)
        return Lowering(func, origin, sizes, text.splitlines()).run()


__all__ = ["TensorType", "definition", "load", "parse", "tensor_type", "to_tensor_text", "verify_linearity"]
