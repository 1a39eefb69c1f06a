"""MLIR's runtime helpers a lowered kernel may call, and how each build finds them.

The memref lowering calls `memrefCopy` for a `memref.copy` whose source or target is not contiguous (a
tile copied into a strided view). The JIT binds it to MLIR's own C runner library, which ships with the
bindings; an exported library gets the C definition below compiled in, so `libkernel.so` needs nothing
beyond libc. The evaluator's allowlist (evaluator/platform.py) names the same helpers.

A parallel kernel (pipeline.py: `async-parallel-for`) calls MLIR's async runtime ABI (`mlirAsyncRuntime*`).
The JIT binds those symbols to NeuroJIT's own implementation of that ABI (async_runtime.c: a pool whose idle
threads spin briefly before they sleep, as a BLAS's do, and a caller that runs tasks while it waits), built once
per machine with the system C compiler into the user's cache. MLIR's `libmlir_async_runtime.so` (installed
with the mlir package) puts its threads to sleep at once, and waking one costs up to a millisecond on these
virtual machines, so 2 threads ran a 512 matmul no faster than one; it is the fallback where no C compiler is
found (`async_library` says which one a process uses). An exported library has async_runtime.c compiled in.
The symbols are bound by hand (`parallel_symbols`), never by handing the library to the ExecutionEngine: an
engine given MLIR's runtime calls its `__mlir_execution_engine_destroy` when freed, which deletes the
process's one runtime for good (measured: the next parallel call segfaulted). Either pool is sized when it is
created from the CPU affinity of the creating thread: a worker pinned to one core would get one thread.
`_load_async` creates it under the widest mask the process may have, then restores the pin; a kernel's own
parallelism is its loop's trip count (pipeline.py).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
import warnings

from mlir import ir

HELPERS = frozenset({"memrefCopy"})
ASYNC_PREFIX = "mlirAsyncRuntim"  # sic: also MLIR's mlirAsyncRuntimGetNumWorkerThreads
ASYNC_LIBRARY = "libmlir_async_runtime.so"  # MLIR's, the fallback
ASYNC_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "async_runtime.c")

# MLIR's memrefCopy(elemSize, UnrankedMemRefType<char> *src, UnrankedMemRefType<char> *dst): each
# unranked memref is {rank, descriptor}; a descriptor is {base, data, offset, sizes[rank], strides[rank]}.
C_SOURCE = """#include <stdint.h>
#include <string.h>
typedef struct { int64_t rank; void *descriptor; } nj_unranked;
typedef struct { char *base; char *data; int64_t offset; int64_t dims[]; } nj_descriptor;

/* hidden: the library exports only the kernel, and never clashes with MLIR's own memrefCopy */
__attribute__((visibility("hidden")))
void memrefCopy(int64_t elem, nj_unranked *src, nj_unranked *dst) {
  const int64_t rank = src->rank;
  const nj_descriptor *s = src->descriptor, *d = dst->descriptor;
  const int64_t *sizes = s->dims, *ss = s->dims + rank, *ds = d->dims + rank;
  char *sp = s->data + s->offset * elem, *dp = d->data + d->offset * elem;
  if (rank == 0) { memcpy(dp, sp, (size_t)elem); return; }
  for (int64_t r = 0; r < rank; r++) if (sizes[r] == 0) return;
  int64_t idx[rank];
  memset(idx, 0, sizeof idx);
  int64_t so = 0, dof = 0;
  for (;;) {
    memcpy(dp + dof * elem, sp + so * elem, (size_t)elem);
    int64_t r = rank - 1;
    for (; r >= 0; r--) {
      idx[r]++; so += ss[r]; dof += ds[r];
      if (idx[r] < sizes[r]) break;
      so -= ss[r] * sizes[r]; dof -= ds[r] * sizes[r]; idx[r] = 0;
    }
    if (r < 0) return;
  }
}
"""

_LIB: ctypes.CDLL | None = None
_ASYNC: ctypes.CDLL | None = None


def declared(module: ir.Module) -> frozenset[str]:
    """Every external function a lowered (LLVM-dialect) module declares."""
    return frozenset(
        ir.StringAttr(op.operation.attributes["sym_name"]).value for op in module.body.operations
        if op.operation.name == "llvm.func" and not op.operation.regions[0].blocks)


def used(module: ir.Module) -> frozenset[str]:
    """The helpers a lowered (LLVM-dialect) module declares."""
    return declared(module) & HELPERS


def is_parallel(module: ir.Module) -> bool:
    """Whether a lowered module calls MLIR's async runtime (it has parallel loops on more than one thread)."""
    return any(name.startswith(ASYNC_PREFIX) for name in declared(module))


def library_dir() -> str:
    """The installed mlir package's folder of runtime libraries."""
    import mlir
    return os.path.join(list(mlir.__path__)[0], "lib")


def compiler() -> str | None:
    """The system C compiler (export links with it; NeuroJIT's async runtime is built with it)."""
    return shutil.which("cc") or shutil.which("gcc")


def async_source() -> str:
    with open(ASYNC_SOURCE) as f:
        return f.read()


def _cache_dirs() -> list[str]:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return [os.path.join(base, "neurojit"), os.path.join(tempfile.gettempdir(), f"neurojit-{os.getuid()}")]


def _ours(folder: str) -> bool:
    """Whether a cache folder is safe to load code from: a directory owned by this user that nobody else may
    write (a shared temp dir could hold another user's planted library under the expected name)."""
    try:
        st = os.stat(folder)
    except OSError:
        return False
    return os.path.isdir(folder) and st.st_uid == os.getuid() and not st.st_mode & 0o022


def build_async() -> str | None:
    """Path of NeuroJIT's async runtime built for this machine (built on first need, cached by the source's
    hash, written atomically so concurrent processes agree); None where it cannot be built (no C compiler)."""
    source = async_source()
    name = f"libneurojit_async-{hashlib.sha256(source.encode()).hexdigest()[:16]}.so"
    for folder in _cache_dirs():
        path = os.path.join(folder, name)
        if os.path.exists(path) and _ours(folder):
            return path
    cc = compiler()
    if cc is None:
        return None
    for folder in _cache_dirs():
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            if not _ours(folder):
                continue
            fd, tmp = tempfile.mkstemp(suffix=".so", dir=folder)
            os.close(fd)
        except OSError:
            continue
        proc = subprocess.run([cc, "-x", "c", "-O2", "-fPIC", "-shared", "-pthread", "-o", tmp, "-"],
                              input=source, capture_output=True, text=True)
        if proc.returncode != 0:  # MLIR's runtime serves (slower to wake); say why once
            os.unlink(tmp)
            warnings.warn(f"building NeuroJIT's async runtime with {cc} failed, parallel kernels use MLIR's "
                          f"instead: {proc.stderr.strip()[-300:]}", RuntimeWarning, stacklevel=2)
            return None
        os.replace(tmp, os.path.join(folder, name))
        return os.path.join(folder, name)
    return None


def async_library() -> str:
    """The async runtime library this process binds parallel kernels to: NeuroJIT's where a C compiler could
    build it, else MLIR's."""
    return build_async() or os.path.join(library_dir(), ASYNC_LIBRARY)


def _load_async() -> ctypes.CDLL:
    """The async runtime, loaded once per process, its thread pool created under the widest mask."""
    global _ASYNC
    if _ASYNC is None:
        lib = ctypes.CDLL(async_library())
        count = lib.mlirAsyncRuntimGetNumWorkerThreads  # sic: MLIR's spelling; creates the runtime
        count.restype = ctypes.c_int64
        mine = os.sched_getaffinity(0) if hasattr(os, "sched_setaffinity") else None
        try:
            if mine is not None:  # the kernel drops CPUs outside the process's cpuset
                os.sched_setaffinity(0, range(os.cpu_count() or 1))
        except OSError:
            pass
        try:
            count()
        finally:
            if mine is not None:
                try:
                    os.sched_setaffinity(0, mine)
                except OSError:
                    pass
        _ASYNC = lib
    return _ASYNC


def preload() -> None:
    """Build and load the async runtime and create its thread pool now: a process that will later forbid itself
    to open files or to change its CPU affinity (the evaluator's sandboxed workers) calls this first."""
    _load_async()


def set_spin(us: int | None) -> int | None:
    """How long the async runtime's idle workers and a waiting caller spin before they sleep, in microseconds,
    from now on (None: as NEUROJIT_SPIN_US set it, 2000 by default); the previous setting. None, and nothing
    set, where the runtime in use is MLIR's (it sleeps at once)."""
    fn = getattr(_load_async(), "neurojitAsyncRuntimeSetSpin", None)
    if fn is None:
        return None
    fn.restype, fn.argtypes = ctypes.c_int64, [ctypes.c_int64]
    return int(fn(-1 if us is None else max(0, int(us))))


def pool_threads() -> int:
    """Worker threads of the async runtime's pool in this process (creating it if needed); NeuroJIT's pool has
    one fewer than cores, the caller being the other."""
    return int(_load_async().mlirAsyncRuntimGetNumWorkerThreads())


def pool_cores() -> int:
    """Cores the async runtime's pool was sized for (its threads and a caller; MLIR's: its threads)."""
    lib = _load_async()
    if hasattr(lib, "neurojitAsyncRuntimeCores"):
        return int(lib.neurojitAsyncRuntimeCores())
    return pool_threads()


def parallel_symbols(module: ir.Module) -> dict[str, object]:
    """symbol -> C function of the async runtime, for each one a lowered module declares."""
    names = sorted(n for n in declared(module) if n.startswith(ASYNC_PREFIX))
    if not names:
        return {}
    lib = _load_async()
    return {name: getattr(lib, name) for name in names}


def jit_symbols(names) -> dict[str, object]:
    """symbol -> C function from MLIR's C runner library, for `CompiledKernel(runtime=...)`."""
    global _LIB
    if not names:
        return {}
    if _LIB is None:  # loaded once per process, on first need; the bindings already load libMLIR
        _LIB = ctypes.CDLL(os.path.join(library_dir(), "libmlir_c_runner_utils.so"))
    return {name: getattr(_LIB, name) for name in names}
