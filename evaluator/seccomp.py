"""A seccomp filter built with libseccomp, called through ctypes (the worker's lockdown, lockdown.py).

Why ctypes to libseccomp.so.2 and not a PyPI binding: libseccomp's own Python module (`seccomp`, Cython) is
not published on PyPI, and the PyPI bindings (`pyseccomp`, ...) are themselves thin ctypes wrappers of the
same library; we need seven of its functions, so calling them directly adds no dependency, works wherever
the shared library is installed (it is on every machine that runs Docker or systemd), and lets us say
exactly what is missing when it is not. libseccomp (not hand-written BPF) does the hard parts: syscall
numbers per architecture, 64-bit argument comparisons, killing foreign-architecture (x32, i386) calls.
"""

from __future__ import annotations

import ctypes
import enum
import os
from dataclasses import dataclass

ALLOW = 0x7FFF0000
KILL_PROCESS = 0x80000000


def errno_action(err: int) -> int:
    """The action 'fail the call with `err`' (SCMP_ACT_ERRNO)."""
    return 0x00050000 | (err & 0xFFFF)


class Op(enum.IntEnum):
    """enum scmp_compare."""
    NE = 1
    LT = 2
    LE = 3
    EQ = 4
    GE = 5
    GT = 6
    MASKED_EQ = 7


@dataclass(frozen=True)
class Arg:
    """A condition on argument `index` of a call: `arg OP value`, or `(arg & mask) == value` for MASKED_EQ."""
    index: int
    op: Op
    value: int
    mask: int = 0


class _Cmp(ctypes.Structure):  # struct scmp_arg_cmp
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


_TSYNC, _BADARCH, _OPTIMIZE = 4, 2, 8  # enum scmp_filter_attr


class Unavailable(Exception):
    """libseccomp is missing or refused the filter; the message says which."""


def _library():
    try:  # by soname: find_library would run compilers in a subprocess
        lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    except OSError as e:
        raise Unavailable(f"libseccomp not found ({e})") from None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_Cmp)]
    return lib


class Filter:
    """A filter whose default action is `default`; `add` rules, then `load` it (into every thread)."""

    def __init__(self, default: int):
        self.lib = _library()
        self.ctx = self.lib.seccomp_init(default)
        if not self.ctx:
            raise Unavailable("seccomp_init failed")
        self.rules = 0
        for attr, value in ((_TSYNC, 1), (_BADARCH, KILL_PROCESS)):
            self._check(self.lib.seccomp_attr_set(self.ctx, attr, value), "seccomp_attr_set")
        self.lib.seccomp_attr_set(self.ctx, _OPTIMIZE, 2)  # binary tree; older libseccomp lacks it, harmless

    def _check(self, rc: int, what: str) -> None:
        if rc < 0:
            raise Unavailable(f"{what} failed: {os.strerror(-rc)}")

    def known(self, name: str) -> bool:
        return self.lib.seccomp_syscall_resolve_name(name.encode()) >= 0

    def add(self, action: int, name: str, *args: Arg) -> None:
        """`action` for calls of `name` whose arguments meet every condition; unknown names are skipped."""
        nr = self.lib.seccomp_syscall_resolve_name(name.encode())
        if nr < 0:
            return
        cmps = (_Cmp * max(1, len(args)))(*[_Cmp(a.index, int(a.op), a.mask if a.op is Op.MASKED_EQ else a.value,
                                                  a.value if a.op is Op.MASKED_EQ else 0) for a in args])
        self._check(self.lib.seccomp_rule_add_array(self.ctx, action, nr, len(args), cmps), f"a rule for {name}")
        self.rules += 1

    def load(self) -> None:
        try:
            self._check(self.lib.seccomp_load(self.ctx), "seccomp_load")
        finally:
            self.lib.seccomp_release(self.ctx)
            self.ctx = None
