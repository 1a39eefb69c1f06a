"""Heap blocks a kernel call gets are filled, not left as an earlier call freed them (evaluator/fresh.py)."""

import ctypes

from neurojit.evaluator.fresh import BYTE, heap_filled

_libc = ctypes.CDLL(None)
_libc.malloc.restype = ctypes.c_void_p
_libc.malloc.argtypes = [ctypes.c_size_t]
_libc.free.argtypes = [ctypes.c_void_p]


def test_a_block_freed_and_handed_out_again_within_a_call_holds_the_fill_not_the_old_contents():
    old = 0x11 if BYTE ^ 0xFF != 0x11 else 0x22  # (the fill byte is drawn per process: 0x11 one time in 256)
    for n in (4096, 300_000):  # a heap block and one past the mmap threshold
        p = _libc.malloc(n)
        ctypes.memset(p, old, n)  # what an earlier call left there
        _libc.free(p)
        with heap_filled():
            q = _libc.malloc(n)
            seen = ctypes.string_at(q, n)
            _libc.free(q)
        assert seen[n // 2] == BYTE ^ 0xFF and seen.count(old) == 0
    p = _libc.malloc(4096)  # outside a call: glibc's own behaviour, no fill
    ctypes.memset(p, 0x22, 4096)
    _libc.free(p)
    q = _libc.malloc(4096)
    assert ctypes.string_at(q, 4096)[2048] == 0x22 or q != p  # (the same block comes back as it was)
    _libc.free(q)


def test_in_a_worker_a_small_block_is_filled_too():
    # glibc's tcache hands a small block back past the fills; workers run with it off (compiler/zygote.py), which
    # glibc reads at process start: a child started with a worker's environment
    import subprocess
    import sys

    from neurojit.compiler.zygote import NO_TCACHE, worker_env

    script = """
import ctypes
from neurojit.evaluator.fresh import BYTE, heap_filled
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
old = 0x11 if BYTE ^ 0xFF != 0x11 else 0x22
p = libc.malloc(200)
ctypes.memset(p, old, 200)
libc.free(p)
with heap_filled():
    q = libc.malloc(200)
    seen = ctypes.string_at(q + 32, 100)  # (past the pointers a free list keeps in a block)
    libc.free(q)
print("filled" if seen.count(BYTE ^ 0xFF) == 100 else "kept" if seen.count(old) == 100 else "other")
"""
    env = worker_env()
    assert NO_TCACHE in env["GLIBC_TUNABLES"]
    run = lambda e: subprocess.run([sys.executable, "-c", script], env=e, capture_output=True, text=True)  # noqa: E731
    assert run(env).stdout.strip() == "filled"
    assert run({k: v for k, v in env.items() if k != "GLIBC_TUNABLES"}).stdout.strip() == "kept"  # (what it was)
