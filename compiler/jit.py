"""JIT compilation with MLIR's ExecutionEngine and a fast, validated call path.

`compile_kernel` lowers a kernel (optionally scheduled) and JITs it at O3. The returned `CompiledKernel`
is called with numpy arrays in signature order. The hot path never goes through `ExecutionEngine.invoke`:
two small LLVM trampolines are added to the module and looked up once —
  `nj_ptr` takes bare data pointers (the slow path, after a full check of every array), and
  `nj_obj` takes the tuple of argument arrays itself and reads each array's data pointer from the
  tuple and array structs (`PyTuple_GET_ITEM`, `PyArray_DATA`). On these machines `ndarray.ctypes.data`
  costs ~3 µs per array and each ctypes argument ~0.3 µs; one tuple argument costs one conversion.
  Both struct offsets are measured at import, not assumed.
The fast path's checks (exact type, shape, dtype identity, C strides, writeable outputs) are generated
as straight-line code per signature; anything unusual falls to the slow path, which explains itself.
The ExecutionEngine prefixes looked-up names with `_mlir_` (its packed-interface convention), so the
trampolines are defined as `_mlir_nj_ptr` / `_mlir_nj_obj` and reached as plain C functions.
"""

from __future__ import annotations

import ctypes
import sys
import threading
import time
from collections import OrderedDict

import numpy as np
from mlir import ir
from mlir.execution_engine import ExecutionEngine

from .build import Lowered, check_lowered, lower_parsed, parse_kernel, variant_key
from .calls import user_call
from .errors import CallError, CompileError
from .kernel import Signature, parse_module
from .pipeline import LOWER
from .printing import callbacks
from .runtime import jit_symbols, parallel_symbols, used
from .source import read_source


def _offset_of(obj: object, pointer: int) -> int:
    """Byte offset at which `obj`'s C struct stores `pointer` (searched, never assumed)."""
    want = pointer.to_bytes(ctypes.sizeof(ctypes.c_void_p), sys.byteorder)
    raw = ctypes.string_at(id(obj), 64)
    for off in range(8, 64, 8):
        if raw[off : off + len(want)] == want:
            return off
    raise RuntimeError(f"cannot locate a pointer inside {type(obj).__name__}'s struct")


SMALL_BYTES = 16 * 1024
_probe = np.arange(4, dtype=np.int64)
DATA_OFFSET = _offset_of(_probe, _probe.ctypes.data)  # PyArrayObject_fields.data
TUPLE_OFFSET = _offset_of((_probe, None), id(_probe))  # PyTupleObject.ob_item[0]


STACK_SHIFT_BYTES = 4 << 20  # the most a shifted call moves the kernel's frame down (64-byte steps)


def _shift(tag: str) -> str:
    """LLVM ops moving the stack pointer down by a random multiple of 64 bytes below STACK_SHIFT_BYTES before the
    call that follows: an xorshift state in a global of the module, mixed with the cycle counter each call."""
    mask = (STACK_SHIFT_BYTES - 1) & ~63
    return f"""
  %{tag}g = llvm.mlir.addressof @nj_stack_state : !llvm.ptr
  %{tag}s0 = llvm.load %{tag}g : !llvm.ptr -> i64
  %{tag}tsc = llvm.call_intrinsic "llvm.readcyclecounter"() : () -> i64
  %{tag}s1 = llvm.xor %{tag}s0, %{tag}tsc : i64
  %{tag}k13 = llvm.mlir.constant(13 : i64) : i64
  %{tag}k7 = llvm.mlir.constant(7 : i64) : i64
  %{tag}k17 = llvm.mlir.constant(17 : i64) : i64
  %{tag}x1 = llvm.shl %{tag}s1, %{tag}k13 : i64
  %{tag}s2 = llvm.xor %{tag}s1, %{tag}x1 : i64
  %{tag}x2 = llvm.lshr %{tag}s2, %{tag}k7 : i64
  %{tag}s3 = llvm.xor %{tag}s2, %{tag}x2 : i64
  %{tag}x3 = llvm.shl %{tag}s3, %{tag}k17 : i64
  %{tag}s4 = llvm.xor %{tag}s3, %{tag}x3 : i64
  llvm.store %{tag}s4, %{tag}g : i64, !llvm.ptr
  %{tag}m = llvm.mlir.constant({mask} : i64) : i64
  %{tag}n = llvm.and %{tag}s4, %{tag}m : i64
  %{tag}p = llvm.alloca %{tag}n x i8 {{alignment = 64 : i64}} : (i64) -> !llvm.ptr
  llvm.inline_asm has_side_effects "", "r" %{tag}p : (!llvm.ptr) -> ()"""


def _trampolines(module: ir.Module, sig: Signature, shift: bool = False) -> None:
    """The `nj_ptr` and `nj_obj` entry points (see the module's docstring). `shift`: each call runs the kernel
    at a random stack depth (`_shift`; the kernel is never inlined into them), so that what one call leaves in
    stack memory it did not initialise is not where the next call's frame lies (the evaluator's builds: a
    candidate kept a cache of results in a deep alloca, found again by calls made at the same depth)."""
    n = len(sig.args)
    ptrs = ", ".join(f"%a{i}: !llvm.ptr" for i in range(n))
    types = ", ".join(["!llvm.ptr"] * n)
    vals = ", ".join(f"%a{i}" for i in range(n))
    loads = "\n".join(
        f"  %t{i} = llvm.getelementptr %args[{TUPLE_OFFSET + 8 * i}] : (!llvm.ptr) -> !llvm.ptr, i8\n"
        f"  %o{i} = llvm.load %t{i} : !llvm.ptr -> !llvm.ptr\n"
        f"  %g{i} = llvm.getelementptr %o{i}[{DATA_OFFSET}] : (!llvm.ptr) -> !llvm.ptr, i8\n"
        f"  %d{i} = llvm.load %g{i} : !llvm.ptr -> !llvm.ptr" for i in range(n)
    )
    dvals = ", ".join(f"%d{i}" for i in range(n))
    pre_ptr, pre_obj = (_shift("p"), _shift("o")) if shift else ("", "")
    attr = " {no_inline}" if shift else ""
    state = "llvm.mlir.global internal @nj_stack_state(88172645463325252 : i64) : i64\n" if shift else ""
    text = f"""
llvm.func @{sig.name}({types})
{state}llvm.func @_mlir_nj_ptr({ptrs}) {{{pre_ptr}
  llvm.call @{sig.name}({vals}){attr} : ({types}) -> ()
  llvm.return
}}
llvm.func @_mlir_nj_obj(%args: !llvm.ptr) {{
{loads}{pre_obj}
  llvm.call @{sig.name}({dvals}){attr} : ({types}) -> ()
  llvm.return
}}"""
    extra = parse_module(text, "<trampoline>", module.context)
    for op in list(extra.body.operations)[1:]:
        op.detach_from_parent()
        module.body.append(op)


class CompiledKernel:
    """A JIT-compiled kernel; call it with numpy arrays in signature order (outputs written in place).

    A kernel that returned its results as written by the user is also called with its inputs only, and
    returns its results as new arrays; a failed assertion raises `AssertionFailed` (see calls.py).
    `call_tuple(arrays)` is the raw convention call, every argument given."""

    def __init__(self, lowered: Lowered, *, opt_level: int = 3, schedule: str | None = None,
                 knobs: dict | None = None, runtime: dict[str, object] | None = None, stack_shift: bool = False):
        """runtime: symbol name -> ctypes function, bound before the first lookup (e.g. allocator hooks).
        stack_shift: every call runs the kernel at a random stack depth (`_trampolines`; the evaluator's builds)."""
        t0 = time.perf_counter()
        self.signature = lowered.signature
        self.origin = lowered.origin
        self.variant_hash = lowered.variant
        self.source_hash = lowered.source_hash
        self.schedule = schedule
        self.knobs = dict(knobs or {})
        self.threads = lowered.threads  # tasks its parallel loops run as (1: serial)
        self.mlir = lowered.mlir
        self.llvm_dialect = str(lowered.module)
        self._llvm_ir: str | None = None
        self._context = lowered.module.context
        if lowered.prints:
            runtime = {**callbacks(lowered.prints), **(runtime or {})}
        # MLIR's async runtime only for a kernel that runs on several threads (runtime.py)
        helpers = {**jit_symbols(used(lowered.module)), **parallel_symbols(lowered.module)}
        if helpers:
            runtime = {**helpers, **(runtime or {})}
        with self._context, ir.Location.unknown():
            _trampolines(lowered.module, self.signature, stack_shift)
            check_lowered(lowered.module, self.origin)
            try:
                self._engine = ExecutionEngine(lowered.module, opt_level=opt_level)
            except RuntimeError as e:
                raise CompileError(f"{self.origin}: the JIT could not compile the lowered kernel ({e})") from None
            for sym, fn in (runtime or {}).items():
                self._engine.raw_register_runtime(sym, ctypes.cast(fn, ctypes.c_void_p))
            self._runtime = runtime  # the callbacks must outlive the engine
            self._module = lowered.module
            n = len(self.signature.args)
            ptr_addr, obj_addr = self._engine.raw_lookup("nj_ptr"), self._engine.raw_lookup("nj_obj")
            if not ptr_addr or not obj_addr:
                raise CompileError(f"{self.origin}: the JIT could not link the kernel (a symbol it needs is missing)")
            self._ptr_fn = ctypes.CFUNCTYPE(None, *[ctypes.c_void_p] * n)(ptr_addr)
            # Releasing the GIL lets other threads run during a call but costs ~0.2 µs; below
            # SMALL_BYTES of data a call is over before that pays off, so tiny kernels keep it.
            nbytes = sum(int(np.prod(a.shape)) * np.dtype(a.dtype).itemsize for a in self.signature.args)
            proto = ctypes.PYFUNCTYPE if nbytes <= SMALL_BYTES else ctypes.CFUNCTYPE
            self._obj_fn = proto(None, ctypes.py_object)(obj_addr)
        self.compile_ms = (time.perf_counter() - t0) * 1e3
        # the slow path keeps the engine (and the callbacks it calls) alive for as long as any call path is
        # held, but not the kernel: a kernel in a reference cycle would free its MLIR context only when the
        # cyclic collector ran, and a collection in a forked child tore down a context whose LLVM threads
        # live in the parent (evaluator/reference.py)
        sig, ptr_fn, keep = self.signature, self._ptr_fn, (self._engine, self._module, self._runtime)

        def slow(arrays, _keep=keep):
            ptr_fn(*_checked_pointers(sig, arrays))

        self.call_tuple = _fast_path(self.signature, self._obj_fn, slow)
        self.call = user_call(self.call_tuple, self.signature)

    @property
    def name(self) -> str:
        return self.signature.name

    @property
    def llvm_ir(self) -> str:
        """LLVM IR of the kernel (without NeuroJIT's call trampolines)."""
        if self._llvm_ir is None:
            from mlir.dialects import llvm as llvm_dialect

            with ir.Context() as ctx, ir.Location.unknown():
                self._llvm_ir = str(llvm_dialect.translate_module_to_llvmir(
                    parse_module(self.llvm_dialect, "<lowered>", ctx).operation))
        return self._llvm_ir

    @property
    def results(self) -> tuple[int, ...]:
        """For each result of the user's function, the index of the output argument holding it."""
        return self.signature.results

    def __call__(self, *arrays: np.ndarray):
        return self.call(arrays)

    def __repr__(self) -> str:
        return f"<CompiledKernel {self.signature.describe()} variant={self.variant_hash}>"


def _checked_pointers(sig: Signature, arrays) -> list[int]:
    """The slow path: full validation with one clear error naming the argument."""
    if len(arrays) != len(sig.args):
        raise CallError(f"@{sig.name} takes {len(sig.args)} arrays ({sig.describe()}), got {len(arrays)}")
    ptrs = []
    for i, (x, a) in enumerate(zip(arrays, sig.args)):
        label = f"argument {i} (%{a.name}) of @{sig.name}"
        if not isinstance(x, np.ndarray):
            raise CallError(f"{label} must be a numpy array of shape {a.shape} and dtype {a.dtype}, got {type(x).__name__}")
        if x.shape != a.shape:
            raise CallError(f"{label} must have shape {a.shape}, got {x.shape}")
        if x.dtype != np.dtype(a.dtype):
            raise CallError(f"{label} must have dtype {a.dtype}, got {x.dtype}")
        if not x.flags.c_contiguous:
            raise CallError(f"{label} must be C-contiguous; pass np.ascontiguousarray(...)")
        if a.role == "out" and not x.flags.writeable:
            raise CallError(f"{label} is an output and must be writeable")
        ptrs.append(x.ctypes.data)
    for o, a in enumerate(sig.args):
        for i in range(len(sig.args)):
            if a.role == "out" and i != o and (sig.args[i].role == "in" or i < o) \
                    and np.may_share_memory(arrays[o], arrays[i]):
                raise CallError(f"argument {o} (%{a.name}) of @{sig.name} shares memory with argument {i} "
                                f"(%{sig.args[i].name}): an output may not alias another argument (every "
                                f"variant is verified on separate buffers); pass a copy, e.g. x.copy()")
    return ptrs


def _fast_path(sig: Signature, obj_fn, slow):
    """Generate `call(arrays)`: straight-line checks, then one call into the `nj_obj` trampoline."""
    env = {"nd": np.ndarray, "fn": obj_fn, "slow": slow}
    conds = []
    for i, a in enumerate(sig.args):
        env[f"s{i}"], env[f"d{i}"] = a.shape, np.dtype(a.dtype)
        env[f"t{i}"] = np.zeros(a.shape, a.dtype).strides
        conds.append(f"type(x{i}) is nd and x{i}.shape == s{i} and x{i}.dtype is d{i} and x{i}.strides == t{i}")
        if a.role == "out":
            conds.append(f"x{i}.flags.writeable")
    # no output aliases another argument: arrays that own their data and are distinct objects cannot
    # overlap; where one is a view, numpy's bounds test decides (the slow path names the two)
    pairs = [(o, i) for o, a in enumerate(sig.args) if a.role == "out"
             for i, b in enumerate(sig.args) if i != o and (b.role == "in" or i < o)]
    if pairs:
        env["may"] = np.may_share_memory
        conds += [f"((x{o}.base is None and x{i}.base is None and x{o} is not x{i}) or not may(x{o}, x{i}))"
                  for o, i in pairs]
    names = ", ".join(f"x{i}" for i in range(len(sig.args)))
    code = (
        "def call(arrays):\n"
        f"    if len(arrays) == {len(sig.args)}:\n"
        f"        {names}, = arrays\n"
        f"        if {' and '.join(conds)}:\n"
        "            return fn(arrays)\n"
        "    return slow(arrays)\n"
    )
    exec(code, env)
    return env["call"]


class _Cache:
    """In-process compile cache keyed by the hash of the normalised IR (+ schedule and knobs)."""

    def __init__(self, size: int = 64):
        self.size = size
        self._items: OrderedDict[str, CompiledKernel] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> CompiledKernel | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: str, value: CompiledKernel) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


CACHE = _Cache()


def compile_kernel(source, schedule: str | None = None, knobs: dict | None = None, *,
                   opt_level: int = 3, isolate: bool = True, cache: bool = True,
                   dims: dict[str, int] | None = None,
                   shapes: dict[str, tuple[int, ...]] | None = None) -> CompiledKernel:
    """Compile a kernel (path or MLIR text), optionally applying a transform schedule with knobs.

    The kernel may be in the convention or come through a front door (a function returning tensors,
    TensorLang; `dims` binds TensorLang's symbolic dimensions): see frontend.py. `shapes` gives arguments of
    dynamic shape their sizes by name ({"x": (64, 768)}: shapes.py).
    isolate: first run the whole lowering once in a subprocess, so that input which trips one of MLIR's
    assertions costs a clear error instead of this process (see `preflight`); results are remembered per
    variant, so each distinct kernel pays this once per process.
    """
    from .preflight import preflight

    t0 = time.perf_counter()
    src = read_source(source, dims=dims, shapes=shapes)
    if schedule is not None:
        schedule = read_source(schedule).text
    if isolate:  # before any in-process parse: even MLIR's verifiers can abort on some input
        preflight(src, schedule, knobs)
        t0 = time.perf_counter()  # compile time is this process's own work
    parsed = parse_kernel(src, ir.Context())
    key = variant_key(parsed.text, schedule, knobs)
    if cache and (hit := CACHE.get(key)) is not None:
        return hit
    lowered = lower_parsed(parsed, schedule, knobs, LOWER)
    lower_ms = (time.perf_counter() - t0) * 1e3
    compiled = CompiledKernel(lowered, opt_level=opt_level, schedule=schedule, knobs=knobs)
    compiled.compile_ms += lower_ms
    if cache:
        CACHE.put(key, compiled)
    return compiled
