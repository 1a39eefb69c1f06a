"""MLIR's runtime helpers a lowered kernel may call, and how each build finds them.

The memref lowering calls `memrefCopy` for a `memref.copy` whose source or target is not contiguous (a
tile copied into a strided view). The JIT binds it to MLIR's own C runner library, which ships with the
bindings; an exported library gets the C definition below compiled in, so `libkernel.so` needs nothing
beyond libc. The evaluator's allowlist (evaluator/platform.py) names the same helpers.
"""

from __future__ import annotations

import ctypes
import os

from mlir import ir

HELPERS = frozenset({"memrefCopy"})

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


def used(module: ir.Module) -> frozenset[str]:
    """The helpers a lowered (LLVM-dialect) module declares."""
    return frozenset(
        ir.StringAttr(op.operation.attributes["sym_name"]).value for op in module.body.operations
        if op.operation.name == "llvm.func" and not op.operation.regions[0].blocks
        and ir.StringAttr(op.operation.attributes["sym_name"]).value in HELPERS)


def jit_symbols(names) -> dict[str, object]:
    """symbol -> C function from MLIR's C runner library, for `CompiledKernel(runtime=...)`."""
    global _LIB
    if not names:
        return {}
    if _LIB is None:  # loaded once per process, on first need; the bindings already load libMLIR
        import mlir
        _LIB = ctypes.CDLL(os.path.join(list(mlir.__path__)[0], "lib", "libmlir_c_runner_utils.so"))
    return {name: getattr(_LIB, name) for name in names}
