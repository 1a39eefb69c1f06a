"""Landlock through its three system calls (no library needed): a filesystem the worker may read, not write.

Landlock (Linux >= 5.13) lets an unprivileged process restrict itself: past `restrict`, the calling thread
and the threads it starts may only open what the rules allow, may not exec, and (ABI >= 4) may not bind or
connect TCP sockets and (ABI >= 6) may not signal processes outside their domain. It is per thread: threads
that already ran before (OpenBLAS's pool) keep their rights, which is why seccomp, which is synchronised
over all threads, stays the main barrier and Landlock the second one. Layers stack: a second `restrict`
can only take rights away.
"""

from __future__ import annotations

import ctypes
import os
import struct

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same number on every architecture
_VERSION = 1  # LANDLOCK_CREATE_RULESET_VERSION
_PATH_BENEATH = 1
_O_PATH = 0o10000000

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
READ = READ_FILE | READ_DIR
WRITE = WRITE_FILE | MAKE_REG | TRUNCATE
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
_NET_ALL = 0b11  # bind and connect TCP
_SCOPE_ALL = 0b11  # abstract unix sockets and signals outside the domain

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class Unavailable(Exception):
    """The kernel has no Landlock, or refused the rules; the message says which."""


def _call(*args) -> int:
    rc = _libc.syscall(*[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    if rc < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return rc


def abi() -> int:
    """The kernel's Landlock ABI version; 0 when it has none (or it is disabled at boot)."""
    try:
        return _call(_CREATE_RULESET, None, 0, _VERSION)
    except OSError:
        return 0


def restrict(rules: dict[str, int]) -> int:
    """Restrict this thread (and threads it starts) to `rules`: path -> rights beneath it (a file: on it).
    Every right this ABI knows is handled, so anything not granted is denied. Paths that do not exist are
    skipped. Returns the ABI used. Needs no_new_privs set first."""
    version = abi()
    if version == 0:
        raise Unavailable("the kernel has no Landlock")
    fs = _FS_BY_ABI[max(v for v in _FS_BY_ABI if v <= version)]
    attr = struct.pack("QQQ", fs, _NET_ALL if version >= 4 else 0, _SCOPE_ALL if version >= 6 else 0)
    size = 8 if version < 4 else 16 if version < 6 else 24
    buf = ctypes.create_string_buffer(attr, len(attr))
    try:
        ruleset = _call(_CREATE_RULESET, buf, size, 0)
    except OSError as e:
        raise Unavailable(f"landlock_create_ruleset: {e.strerror}") from None
    try:
        for path, rights in rules.items():
            try:
                fd = os.open(path, _O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                if not os.path.isdir(path):  # on a file, only rights that apply to files
                    rights &= EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
                if not rights & fs:
                    continue
                rule = ctypes.create_string_buffer(struct.pack("=Qi", rights & fs, fd), 12)
                _call(_ADD_RULE, ruleset, _PATH_BENEATH, rule, 0)
            except OSError as e:
                raise Unavailable(f"landlock_add_rule({path}): {e.strerror}") from None
            finally:
                os.close(fd)
        try:
            _call(_RESTRICT_SELF, ruleset, 0)
        except OSError as e:
            raise Unavailable(f"landlock_restrict_self: {e.strerror}") from None
    finally:
        os.close(ruleset)
    return version
