"""Pass pipelines as named, inspectable objects.

Every lowering in NeuroJIT goes through a `Pipeline` built here, so the pass list exists in one place;
`str(pipeline)` is exactly what `mlir-opt --pass-pipeline=...` would take.

Parallel loops: a module's thread count is written in its IR (`neurojit.threads = T` on an `scf.forall` or
`scf.parallel`, put there by a schedule from its `threads` knob), never read from the environment. Where
T > 1 the lowering runs MLIR's `async-parallel-for` (tasks on MLIR's async runtime, see runtime.py) on
those loops; where it is 1 or absent they lower to plain serial loops. `Pipeline.run` picks the variant
from the module (`for_module`), so every build of a variant (JIT, export, the evaluator's checked build)
lowers it the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlir import ir, passmanager

from .accurate_math import accurate_math
from .approx import approximate
from .errors import CompileError
from .kernel import walk
from .tasks import THREADS_ATTR, prepare


@dataclass(frozen=True)
class Pipeline:
    name: str
    passes: tuple[str, ...]

    def __str__(self) -> str:
        return "builtin.module(" + ",".join(self.passes) + ")"

    def for_module(self, module: ir.Module) -> Pipeline:
        """This pipeline with its parallel stage set for the module's thread count (see `threads_of`)."""
        if PARALLEL_SLOT not in self.passes:
            return self
        t = threads_of(module)
        if t <= 1:
            return self
        i = self.passes.index(PARALLEL_SLOT)
        return Pipeline(f"{self.name}-threads{t}", self.passes[:i] + parallel_stage(t) + self.passes[i + 1:])

    def run(self, module: ir.Module) -> None:
        """Run in place on `module` (in its context); raise CompileError with MLIR's message on failure."""
        pipeline = self.for_module(module)
        if "convert-math-to-llvm" in pipeline.passes:
            accurate_math(module)  # expm1 and log1p, which that pass would lower as exp(x) - 1 and log(1 + x)
            approximate(module)  # math ops a schedule marked: polynomials, not libm calls
        if pipeline is not self:  # a parallel lowering: which loops run as how many tasks (tasks.py)
            prepare(module)
        stages = [pipeline]
        if "convert-math-to-llvm" in pipeline.passes and _HALF.search(str(module)):  # (see HALF_EMULATE)
            i = pipeline.passes.index("convert-math-to-llvm")
            stages = [Pipeline(pipeline.name, pipeline.passes[:i] + HALF_EMULATE),
                      Pipeline(pipeline.name, (BF16_EXPAND, *pipeline.passes[i:]))]
        try:
            for k, stage in enumerate(stages):
                if k:
                    _rounding_kept(module)
                passmanager.PassManager.parse(str(stage), module.context).run(module.operation)
        except ir.MLIRError as e:
            first = e.error_diagnostics[0].message if e.error_diagnostics else e.message
            raise CompileError(f"pipeline '{pipeline.name}' failed: {first}") from None


# Half precision on x86. LLVM rounds f32 to bf16 by a call of `__truncsfbf2` where the CPU has no AVX512-BF16,
# which libgcc 12 lacks and the JIT cannot link; and its own promotion of f16 vector ops to f32 scalarised some (an
# f16 softmax's row maximum on 64 lanes: its row-wise schedule ran 0.305 ms, 0.126 ms with this). So a module with
# f16 or bf16 has that arithmetic and its math done in f32, each op's result rounded to the half type as the kernel
# says (`arith-emulate-unsupported-floats`, `math-extend-to-supported-types`; they mark their conversions
# `contract`, which lets a fold drop the rounding between two ops: `_rounding_kept` clears it), and every conversion
# between f32 and bf16 expanded into integer ops, round to nearest even (`arith-expand{include-bf16}`; it also
# expands a few other ops, hence only here; f16's are F16C instructions). A module is taken for one with halves by
# its types' text, `_HALF`, which must see them in shapes too: a vectorised kernel may have no scalar bf16 left,
# and its multiply then reached LLVM as `fmul <128 x bfloat>`, which flushed subnormal products to zero on an
# AVX512-BF16 host. (A vector op on bf16 that is not arith or
# math, a vector.fma or a reduction, is left to LLVM: on a host without AVX512-BF16 such a build fails to link,
# and the candidate with it.)
HALF_EMULATE = ("func.func(math-extend-to-supported-types{target-type=f32})",
                "arith-emulate-unsupported-floats{source-types=bf16,f16 target-type=f32}")
BF16_EXPAND = "arith-expand{include-bf16=true}"
_HALF = re.compile(r"(?:\b|(?<=[\d?]x))b?f16\b")  # (a scalar, or in a shape: memref<4xbf16>, vector<1x128xf16>)


def _rounding_kept(module: ir.Module) -> None:
    """Every float conversion without fast-math flags: `extf(truncf(x))` is then a rounding, not x."""
    for op in walk(module.operation):
        if op.name in ("arith.extf", "arith.truncf") and "fastmath" in op.attributes:
            del op.attributes["fastmath"]


# Where a lowering puts its parallel stage; serial by default (scf.forall becomes scf.parallel, which
# convert-scf-to-cf lowers to a plain loop).
PARALLEL_SLOT = "scf-forall-to-parallel"


def threads_of(module: ir.Module) -> int:
    """The thread count the module's parallel loops ask for (the largest `neurojit.threads`; 1 if none)."""
    found = [1]

    def visit(op):
        if op.name in ("scf.forall", "scf.parallel") and THREADS_ATTR in op.attributes:
            found.append(ir.IntegerAttr(op.attributes[THREADS_ATTR]).value)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return max(found)


def parallel_stage(threads: int) -> tuple[str, ...]:
    """scf.forall/scf.parallel as tasks on MLIR's async runtime. A schedule's parallel loop has exactly
    `threads` iterations, so min-task-size=1 makes one task per iteration (the default, 1000 iterations
    per task, would make one task for the whole loop: nothing in parallel); the caller runs the first."""
    return (PARALLEL_SLOT,
            f"async-parallel-for{{async-dispatch=true num-workers={threads} min-task-size=1}}",
            "async-to-async-runtime", "async-runtime-ref-counting", "async-runtime-ref-counting-opt",
            "convert-async-to-llvm")


# After a transform schedule: fold what the schedule left behind.
CLEANUP = Pipeline("cleanup", ("canonicalize", "cse"))
# Front doors: unit dims folded away (a keepdim reduction's (d0, d1) -> (d0, 0) becomes (d0, d1) -> (d0) on a
# collapsed view), for functions on tensors that index operands by constants (convention.py)
FOLD_UNIT_DIMS = Pipeline("fold-unit-dims", ("func.func(linalg-fold-unit-extent-dims)", "canonicalize"))
# a tensor function's elementwise ops, once generic, fused producer into consumer (what IREE does before it forms its
# dispatches): StableHLO's lowering writes every broadcast and map out whole (convention.py `_fuse_maps`)
# (arith ops on whole tensors, which bufferization does not take, become generics first: a bool argument's
# comparison with 0, convention.py `_bools_to_bytes`)
FUSE_ELEMENTWISE = Pipeline("fuse-elementwise", ("func.func(convert-elementwise-to-linalg, linalg-fuse-elementwise-ops)",
                                                 "canonicalize", "cse"))
# Front doors: private helpers inlined into the public function (then dropped).
INLINE_HELPERS = Pipeline("inline-helpers", ("inline", "symbol-dce"))
# TOSA (what TFLite and torch-mlir's TOSA backend emit) to linalg on tensors: MLIR's own lowering, as IREE runs it
TOSA_TO_LINALG = Pipeline("tosa-to-linalg", ("func.func(tosa-optional-decompositions, tosa-to-linalg-named, "
                                             "tosa-to-linalg, tosa-to-arith, tosa-to-tensor, tosa-to-scf)",
                                             "canonicalize"))


# `vector.mask` regions (what MLIR's masked vectorisation emits for partial tiles) as masked ops: transfers,
# gathers and reductions that take a mask operand (the checked build runs it before its bounds assertions,
# which may not go inside a mask's one-op region)
UNMASK = Pipeline("unmask", ("func.func(lower-vector-mask,lower-vector-multi-reduction)",))


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
            # a realloc as the allocation, copy and free it is (finalize-memref-to-llvm takes none; its scf.if
            # is lowered below)
            "expand-realloc",
            *UNMASK.passes,
            "func.func(convert-vector-to-scf,convert-linalg-to-loops)",
            *verify,
            "lower-affine",
            PARALLEL_SLOT,
            "convert-scf-to-cf",
            "convert-vector-to-llvm",
            # expand-strided-metadata creates affine.apply: lower-affine must run again after it
            "expand-strided-metadata",
            "lower-affine",
            memref,
            "convert-math-to-llvm",
            # what LLVM has no intrinsic for (erf, atan2, ...) becomes a call to the math library; on a vector
            # (an f64 erf: the f32 ones are polynomials, approx.py) one call per lane, whose vector extracts
            # and inserts need lowering again
            "convert-math-to-libm",
            "convert-vector-to-llvm",
            "convert-ub-to-llvm",
            "convert-arith-to-llvm",
            "convert-index-to-llvm",
            func,
            "convert-cf-to-llvm",
            "reconcile-unrealized-casts",
        ),
    )


LOWER = lowering()
