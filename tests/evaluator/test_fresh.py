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
