"""The platform allowlist: every dialect, op, LLVM intrinsic and external symbol a kernel may use.

One list, read by the static checks (static.py) before lowering and after it. What is here: what the
baseline's lowering and the schedule library produce, MLIR's runtime helpers (compiler/runtime.py), the
math library, and named extension points that later issues fill. Anything else is `foreign_call`.
Runtime-verification asserts are not on it: the checked build inserts them after these checks, and they
abort the worker, which is how `unsafe_memory` is seen.
"""

from __future__ import annotations

from neurojit.compiler.printing import PRINT_PREFIX
from neurojit.compiler.runtime import HELPERS

# Dialects a candidate may write (before lowering), with the ops of theirs that reach outside the kernel.
DIALECTS = {
    "builtin": frozenset(), "func": frozenset({"func.call_indirect", "func.constant"}),
    "arith": frozenset(), "math": frozenset(), "index": frozenset(), "ub": frozenset(),
    "scf": frozenset(), "affine": frozenset(), "tensor": frozenset(), "bufferization": frozenset(),
    "linalg": frozenset(), "memref": frozenset(),
    "vector": frozenset({"vector.print"}),
    "cf": frozenset({"cf.assert"}),  # a user's assertion becomes a status later (ASSERT_STATUS)
}

# LLVM-dialect ops: in a candidate (the escape hatch) and in every lowered kernel. Calls must name a
# callee that is defined or allowed (SYMBOLS); addresses may only be taken of what the module defines.
LLVM_OPS = frozenset("llvm." + n for n in (
    "func return br cond_br switch call alloca load store getelementptr extractvalue insertvalue "
    "extractelement insertelement shufflevector select freeze "
    "add sub mul udiv sdiv urem srem and or xor shl lshr ashr icmp "
    "fadd fsub fmul fdiv frem fneg fcmp "
    "sext zext trunc fpext fptrunc sitofp uitofp fptosi fptoui bitcast ptrtoint inttoptr "
    "atomicrmw cmpxchg fence "  # memref.atomic_rmw and generic_atomic_rmw (parallel reductions)
    "mlir.constant mlir.zero mlir.poison mlir.undef mlir.addressof mlir.global").split())

INTRINSICS = frozenset("llvm.intr." + n for n in (
    "fmuladd fma fabs sqrt exp exp2 exp10 log log2 log10 pow powi sin cos tan sinh cosh tanh asin acos atan atan2 "
    "floor ceil trunc round roundeven rint nearbyint lround llround lrint llrint copysign "
    "maximum minimum maxnum minnum smax smin umax umin abs ctlz cttz ctpop bitreverse bswap fshl fshr "
    "is.fpclass sadd.sat uadd.sat ssub.sat usub.sat "
    "memcpy memcpy.inline memmove memset stacksave stackrestore lifetime.start lifetime.end assume prefetch "
    "masked.load masked.store masked.gather masked.scatter masked.expandload masked.compressstore "
    "vector.insert vector.extract stepvector get.active.lane.mask matrix.multiply matrix.transpose "
    "vector.reduce.fadd vector.reduce.fmul vector.reduce.add vector.reduce.mul vector.reduce.and "
    "vector.reduce.or vector.reduce.xor vector.reduce.smax vector.reduce.smin vector.reduce.umax "
    "vector.reduce.umin vector.reduce.fmax vector.reduce.fmin vector.reduce.fmaximum vector.reduce.fminimum "
    # masked (vector-predicated) reductions: what a masked multi-reduction of a partial tile lowers to
    "vp.reduce.fadd vp.reduce.fmul vp.reduce.add vp.reduce.mul vp.reduce.and vp.reduce.or vp.reduce.xor "
    "vp.reduce.smax vp.reduce.smin vp.reduce.umax vp.reduce.umin vp.reduce.fmax vp.reduce.fmin"
).split())

# The allocator the memref lowering calls (plain, and the generic functions the counting allocator binds).
ALLOCATOR = frozenset({"malloc", "free", "aligned_alloc", "_mlir_memref_to_llvm_alloc",
                       "_mlir_memref_to_llvm_free", "_mlir_memref_to_llvm_aligned_alloc"})

# The math library: pure scalar functions only (no pointer arguments, no global state such as lgamma's
# signgam), in double and float forms. A declaration must take and return scalars (static.py checks).
_LIBM = ("sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh exp exp2 expm1 log log2 log10 "
         "log1p pow sqrt cbrt hypot erf erfc tgamma fabs floor ceil trunc round rint nearbyint fmod "
         "remainder copysign fmin fmax fma fdim ldexp scalbn").split()
LIBM = frozenset(_LIBM + [n + "f" for n in _LIBM])

# Extension points, filled by later issues: a parallel runtime (performance), vector math approximations
# (performance), the assertion status of self-healing.
# MLIR's async runtime (libmlir_async_runtime.so, compiler/runtime.py): what convert-async-to-llvm declares for
# a kernel whose parallel loops run on several threads (async-parallel-for, compiler/pipeline.py), with the
# `puts` + `abort` of its "awaited operand is in error state" assertion; and the coroutine intrinsics its tasks
# are made of. Only a lowering produces them (a candidate cannot write the async dialect): lowered-only.
PARALLEL_RUNTIME: frozenset[str] = frozenset({"mlirAsyncRuntimGetNumWorkerThreads", "puts", "abort"} | {"mlirAsyncRuntime" + n for n in (
    "AddRef DropRef CreateToken CreateValue CreateGroup EmplaceToken EmplaceValue SetTokenError SetValueError "
    "IsTokenError IsValueError IsGroupError AwaitToken AwaitValue AwaitAllInGroup Execute GetValueStorage "
    "AddTokenToGroup AwaitTokenAndExecute AwaitValueAndExecute AwaitAllInGroupAndExecute").split()})
PARALLEL_OPS: frozenset[str] = frozenset("llvm.intr.coro." + n for n in (
    "id begin save suspend end free size align resume").split()) | {"llvm.mlir.none", "llvm.unreachable"}
VECTOR_MATH: frozenset[str] = frozenset()
ASSERT_STATUS: frozenset[str] = frozenset()

# What a candidate may declare and call itself; the allocator and MLIR's helpers only the lowering may
# call (a candidate calling malloc bypasses the counting allocator; memrefCopy takes raw descriptors).
SOURCE_SYMBOLS = LIBM | VECTOR_MATH | ASSERT_STATUS
LOWERED_SYMBOLS = SOURCE_SYMBOLS | ALLOCATOR | HELPERS | PARALLEL_RUNTIME


def op_allowed(name: str, *, lowered: bool = False) -> bool:
    """Whether an op (by its full name) may appear in a candidate or, with `lowered`, a lowered kernel."""
    dialect = name.split(".", 1)[0]
    if dialect == "llvm":
        return name in LLVM_OPS or name in INTRINSICS or (lowered and name in PARALLEL_OPS)
    return dialect in DIALECTS and name not in DIALECTS[dialect]


def symbol_allowed(name: str, baseline_symbols: frozenset[str] | set[str] = frozenset(), *,
                   lowered: bool = False) -> bool:
    """Whether a candidate (or, with `lowered`, its lowering) may declare and call the external `name`. The front door's print hooks are
    allowed only where the baseline itself has them (it prints; the candidate may keep its prints)."""
    if name.startswith(PRINT_PREFIX):
        return name in baseline_symbols
    return name in (LOWERED_SYMBOLS if lowered else SOURCE_SYMBOLS)
