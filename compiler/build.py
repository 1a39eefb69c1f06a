"""Kernel text (+ optional schedule and knobs) -> lowered LLVM-dialect module, in one MLIR context.

This is the single path from source to LLVM dialect; the JIT, the export, the isolated preflight and the
evaluator's workers all go through `parse_kernel` and `lower_parsed` (or `lower_kernel`, both at once).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlir import ir

from . import alloca_scopes, noalias
from .errors import CompileError
from .fresh_memory import zero_fresh_memory
from .kernel import Signature, ir_hash, parse_module, public_funcs, signature_of
from .pipeline import LOWER, Pipeline, threads_of
from .printing import sites
from .schedule import apply_schedule, substitute
from .source import read_source


@dataclass
class Parsed:
    module: ir.Module
    signature: Signature
    text: str  # normalised: MLIR's own printing of the parsed module
    origin: str


@dataclass
class Lowered:
    signature: Signature
    variant: str  # identity: hash of the normalised kernel + the substituted schedule
    source_hash: str  # hash of the normalised kernel alone
    mlir: str  # the kernel after the schedule, before lowering
    module: ir.Module  # LLVM dialect
    origin: str
    prints: tuple = ()  # printing.PrintSite of each tensorlang.print, bound by the JIT and the export
    threads: int = 1  # the thread count its parallel loops ask for (pipeline.threads_of)


def variant_key(normalised_text: str, schedule: str | None, knobs: dict | None) -> str:
    return ir_hash(normalised_text, substitute(schedule, knobs) if schedule else None)


def parse_kernel(source, context: ir.Context, *, dims: dict[str, int] | None = None) -> Parsed:
    src = read_source(source, dims=dims)
    with context, ir.Location.unknown():
        module = parse_module(src.text, src.name, context)
        sig = signature_of(module, src.name, src.text)
        return Parsed(module, sig, str(module), src.name)


def lower_parsed(parsed: Parsed, schedule: str | None = None, knobs: dict | None = None,
                 pipeline: Pipeline = LOWER) -> Lowered:
    module = parsed.module
    with module.context, ir.Location.unknown():
        if schedule is not None:
            apply_schedule(module, schedule, knobs)
        mlir_text = str(module) if schedule is not None else parsed.text
        prints = sites(module)
        threads = threads_of(module)
        outputs_noalias(module, parsed.signature)
        alloca_scopes.lower(module)  # (MLIR's lowering of a scope refuses a loop inside it: alloca_scopes.py)
        pipeline.run(module)
        if "generate-runtime-verification" not in pipeline.passes:  # (the checked build poisons them instead)
            zero_fresh_memory(module)  # a call's fresh heap blocks and stack slots hold zeros (fresh_memory.py)
        noalias.propagate(module, parsed.signature.name)
        return Lowered(parsed.signature, variant_key(parsed.text, schedule, knobs), ir_hash(parsed.text),
                       mlir_text, module, parsed.origin, prints, threads)


def outputs_noalias(module: ir.Module, sig: Signature) -> None:
    """Mark each output of the public function `llvm.noalias` (LLVM's `noalias` on its pointer): no other argument
    reaches its memory, which every call path checks (the JIT refuses an output that shares memory with another
    argument; the export's header declares outputs `restrict`). Without it LLVM must assume that a store to the
    output may change what the next load from an input reads: a 3x3 filter's naive loops stored the output after
    each of its 9 terms, and a register tile kept its accumulators in memory (both 2x slower, on znver4)."""
    funcs = public_funcs(module)
    if not funcs:
        return
    f = funcs[0]
    args = f.regions[0].blocks[0].arguments
    if len(args) != len(sig.args):
        return
    noalias.mark(f, [i for i, (a, v) in enumerate(zip(sig.args, args))
                     if a.role == "out" and isinstance(v.type.maybe_downcast(), ir.MemRefType)])


def lower_kernel(source, schedule: str | None = None, knobs: dict | None = None,
                 pipeline: Pipeline = LOWER, context: ir.Context | None = None, *,
                 dims: dict[str, int] | None = None) -> Lowered:
    return lower_parsed(parse_kernel(source, context or ir.Context(), dims=dims), schedule, knobs, pipeline)


def check_lowered(module: ir.Module, origin: str) -> None:
    """Raise CompileError where the lowered module still holds ops of dialects other than LLVM's, naming them
    (LLVM's translation fails on them, or crashes on an unrealized cast; tensors inside a kernel on memrefs are
    not bufferized: `bufferization.to_tensor` stays)."""
    left = []

    def visit(op):
        if not op.name.startswith("llvm.") and op.name != "builtin.module" and op.name not in left:
            left.append(op.name)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    if left:
        hint = ("; tensors inside a kernel on memrefs are not bufferized: write it on memrefs throughout, or as a "
                "function on tensors that returns its results" if any(n.startswith(("bufferization.", "tensor."))
                                                                     for n in left) else "")
        raise CompileError(f"{origin}: the lowering left {', '.join(left[:4])}{hint}")
