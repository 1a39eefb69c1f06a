"""A counting allocator for the checked build (finalize-memref-to-llvm{use-generic-functions=true}).

The kernel's allocations go through `_mlir_memref_to_llvm_alloc/free`, bound here to ctypes callbacks:
every live block is tracked, so a free of an unknown pointer (double or invalid free) and blocks still live
after the call (leak) are seen. Fresh blocks are filled with 0xFF bytes (NaN for floats, -1 for integers), so
a read of memory nobody wrote shows in the result instead of depending on what malloc returns. Freed blocks are filled with 0xFF bytes (a NaN pattern for floats) and
kept in quarantine until the call ends, so a use after free reads poison instead of reused memory.
An allocation above the limit ends the worker with MEMORY_EXIT, which the host reports as memory_limit.
"""

from __future__ import annotations

import ctypes
import os
import sys

MEMORY_EXIT = 77
_libc = ctypes.CDLL(None)
_libc.malloc.restype = ctypes.c_void_p
_libc.malloc.argtypes = [ctypes.c_size_t]
_libc.free.argtypes = [ctypes.c_void_p]
ALLOC = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_size_t)
ALIGNED = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t)
FREE = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class CountingAllocator:
    def __init__(self, limit_bytes: int):
        self.limit = limit_bytes
        self.live: dict[int, int] = {}
        self.quarantine: list[int] = []
        self.bad_frees = 0
        self.allocations = 0
        self.in_use = 0
        self.peak = 0
        self._alloc = ALLOC(self._on_alloc)
        self._aligned = ALIGNED(lambda align, size: self._on_alloc(size))
        self._free = FREE(self._on_free)

    def symbols(self) -> dict[str, object]:
        """Symbol -> ctypes callback, for ExecutionEngine.raw_register_runtime (which takes the callback)."""
        return {
            "_mlir_memref_to_llvm_alloc": self._alloc,
            "_mlir_memref_to_llvm_aligned_alloc": self._aligned,
            "_mlir_memref_to_llvm_free": self._free,
        }

    def _on_alloc(self, size: int) -> int:
        if self.in_use + size > self.limit:
            os.write(2, f"neurojit-memory-limit: allocation of {size} bytes exceeds the limit of {self.limit} bytes\n".encode())
            sys.stderr.flush()
            os._exit(MEMORY_EXIT)
        # 64 bytes of slack: the lowering may align the returned pointer upwards inside the block
        p = _libc.malloc(max(size, 1) + 64)
        if not p:
            os.write(2, f"neurojit-memory-limit: malloc of {size} bytes failed\n".encode())
            os._exit(MEMORY_EXIT)
        ctypes.memset(p, 0xFF, size)
        self.live[p] = size
        self.allocations += 1
        self.in_use += size
        self.peak = max(self.peak, self.in_use)
        return p

    def _on_free(self, p: int) -> None:
        if p is None or p == 0:
            return
        size = self.live.pop(p, None)
        if size is None:
            self.bad_frees += 1
            return
        self.in_use -= size
        ctypes.memset(p, 0xFF, size)
        self.quarantine.append(p)

    def end_call(self) -> tuple[int, int]:
        """Release the quarantine; return (leaked blocks, bad frees) of the call, and reset."""
        for p in self.quarantine:
            _libc.free(p)
        self.quarantine.clear()
        leaked, bad = len(self.live), self.bad_frees
        for p in list(self.live):
            _libc.free(p)
        self.live.clear()
        self.bad_frees = 0
        self.in_use = 0
        return leaked, bad
