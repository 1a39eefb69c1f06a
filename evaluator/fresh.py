"""Heap memory a kernel call gets fresh: glibc fills every block it hands out, and every block freed, while a
candidate or its baseline runs (M_PERTURB, a byte drawn per process).

A call must not find what an earlier call left in memory it did not initialise: a block `malloc` returns is
often the one the last call freed, with its contents, and a candidate could keep a cache of results there and
be timed on lookups (the stack's counterpart, a cache in a deep alloca, was found by the third red team:
compiler/jit.py runs each evaluated call at a random stack depth). Only around kernel calls: numpy's own
temporaries in the worker would pay the fills too (a 1024 matmul's tune took ~50% longer with them on for the
whole worker). glibc's per-thread cache of small blocks (tcache: up to 1032 bytes) bypasses the fills, so it is
off in every worker (compiler/zygote.py `NO_TCACHE`): a block that small came back as it was freed, and the
eighth red team kept a cache of results and a call counter there.
"""

from __future__ import annotations

import contextlib
import ctypes
import secrets

M_PERTURB = -6  # glibc's mallopt parameter (malloc.h)
_libc = ctypes.CDLL(None)
_mallopt = getattr(_libc, "mallopt", None)  # glibc; elsewhere nothing to set
BYTE = 1 + secrets.randbelow(255)


@contextlib.contextmanager
def heap_filled():
    """Within the block, glibc fills each block malloc returns (and each block freed) with a fixed byte."""
    if _mallopt is None:
        yield
        return
    _mallopt(M_PERTURB, BYTE)
    try:
        yield
    finally:
        _mallopt(M_PERTURB, 0)
