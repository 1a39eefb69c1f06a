"""Pass pipelines as named, inspectable objects.

Every lowering in NeuroJIT goes through a `Pipeline` built here, so the pass list exists in one place;
`str(pipeline)` is exactly what `mlir-opt --pass-pipeline=...` would take.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlir import ir, passmanager

from .errors import CompileError


@dataclass(frozen=True)
class Pipeline:
    name: str
    passes: tuple[str, ...]

    def __str__(self) -> str:
        return "builtin.module(" + ",".join(self.passes) + ")"

    def run(self, module: ir.Module) -> None:
        """Run in place on `module` (in its context); raise CompileError with MLIR's message on failure."""
        try:
            passmanager.PassManager.parse(str(self), module.context).run(module.operation)
        except ir.MLIRError as e:
            first = e.error_diagnostics[0].message if e.error_diagnostics else e.message
            raise CompileError(f"pipeline '{self.name}' failed: {first}") from None


# After a transform schedule: fold what the schedule left behind.
CLEANUP = Pipeline("cleanup", ("canonicalize", "cse"))
# Front doors: private helpers inlined into the public function (then dropped).
INLINE_HELPERS = Pipeline("inline-helpers", ("inline", "symbol-dce"))


def lowering(*, bare_ptr: bool = True, runtime_checks: bool = False, generic_alloc: bool = False) -> Pipeline:
    """Structured ops (linalg, vector, scf, memref, math) down to the LLVM dialect.

    bare_ptr: memref arguments become plain pointers (the C ABI NeuroJIT calls and exports).
    runtime_checks: insert MLIR's runtime verification (bounds of loads, stores, subviews, ...).
    generic_alloc: allocate through `_mlir_memref_to_llvm_alloc/free`, so a counting allocator can be
    plugged in (the evaluator does).
    """
    verify = ("generate-runtime-verification",) if runtime_checks else ()
    memref = "finalize-memref-to-llvm{use-generic-functions=true}" if generic_alloc else "finalize-memref-to-llvm"
    func = "convert-func-to-llvm{use-bare-ptr-memref-call-conv=true}" if bare_ptr else "convert-func-to-llvm"
    name = "lower" + ("-checked" if runtime_checks else "") + ("-counted" if generic_alloc else "")
    return Pipeline(
        name,
        (
            # private helpers are inlined first: the bare-pointer convention needs static shapes at calls
            "inline",
            "symbol-dce",
            "func.func(convert-vector-to-scf,convert-linalg-to-loops)",
            *verify,
            "lower-affine",
            "convert-scf-to-cf",
            "convert-vector-to-llvm",
            # expand-strided-metadata creates affine.apply: lower-affine must run again after it
            "expand-strided-metadata",
            "lower-affine",
            memref,
            "convert-math-to-llvm",
            "convert-ub-to-llvm",
            "convert-arith-to-llvm",
            "convert-index-to-llvm",
            func,
            "convert-cf-to-llvm",
            "reconcile-unrealized-casts",
        ),
    )


LOWER = lowering()
