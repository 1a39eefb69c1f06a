"""Guard pages for the checked build: every argument placed against an inaccessible page.

Runtime verification checks `memref.load/store` but not vector loads and stores, and an unmasked vector tail
read past the end of a buffer goes unseen when the memory there happens to be readable. In the checked build
each argument therefore lives in an `Arena`: one mmap in which every argument has a page-rounded region of its
own with a PROT_NONE page before and after it, `[G][arg0][G][arg1]...[G]`. Two placements use the same arena:
`END`, the last byte of every argument is the last byte before a guard page (any access past the end faults),
and `START`, every argument begins right after one (any access before the start faults). End-aligned arrays
are only element-aligned; that is enough, as MLIR lowers vector loads and stores with the element's alignment.

A fault is reported, not just suffered: while a guarded call runs, a SIGSEGV handler JIT-compiled from the
LLVM dialect (async-signal-safe: no Python, only `write` and `_exit`) looks the faulting address up in a table
of the guard pages, prints which argument was overrun and in which direction, and ends the worker with
GUARD_EXIT; the host (pool.py) classifies that as `unsafe_memory`. A fault anywhere else returns from the
handler with the default action restored (SA_RESETHAND), so it dies as the crash it is.
"""

from __future__ import annotations

import contextlib
import ctypes
import enum
import functools
import mmap

import numpy as np

GUARD_EXIT = 78
MARKER = "neurojit-guard-page"
PAGE = mmap.PAGESIZE
_libc = ctypes.CDLL(None, use_errno=True)
_libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
_SIGSEGV, _SA_SIGINFO, _SA_RESETHAND = 11, 0x4, 0x80000000


class Placement(enum.StrEnum):
    END = "end"
    START = "start"

    @property
    def words(self) -> str:
        return ("every argument ending exactly at a guard page" if self is Placement.END
                else "every argument starting right after a guard page")


class Arena:
    """Page-rounded regions for a signature's arguments, each between two PROT_NONE pages."""

    def __init__(self, sig):
        self.names = [a.name for a in sig.args]
        self.specs = [(tuple(a.shape), np.dtype(a.dtype)) for a in sig.args]
        sizes = [max(1, int(np.prod(s)) * d.itemsize) for s, d in self.specs]
        spans = [-(-n // PAGE) * PAGE for n in sizes]
        self.offsets = []  # start of each argument's region
        at = PAGE
        for span in spans:
            self.offsets.append(at)
            at += span + PAGE
        self.map = mmap.mmap(-1, at, prot=mmap.PROT_READ | mmap.PROT_WRITE)
        anchor = ctypes.c_char.from_buffer(self.map)
        self.base = ctypes.addressof(anchor)
        del anchor  # a live export would keep the map from being closed
        self.guards = [0] + [o + s for o, s in zip(self.offsets, spans)]  # offsets of the n + 1 guard pages
        for g in self.guards:
            if _libc.mprotect(self.base + g, PAGE, 0) != 0:
                raise OSError(ctypes.get_errno(), "mprotect of a guard page failed")
        self.sizes, self.spans = sizes, spans
        self._views: dict[Placement, list[np.ndarray]] = {}
        self._tables: dict[Placement, _Table] = {}

    def views(self, placement: Placement) -> list[np.ndarray]:
        """Arrays over the arena in `placement`, in signature order (the two placements share memory)."""
        if placement not in self._views:
            out = []
            for (shape, dt), off, n, span in zip(self.specs, self.offsets, self.sizes, self.spans):
                at = off + span - n if placement is Placement.END else off
                count = int(np.prod(shape))
                out.append(np.frombuffer(self.map, dt, count, at).reshape(shape))
            self._views[placement] = out
        return self._views[placement]

    def load(self, placement: Placement, args) -> list[np.ndarray]:
        """Copy `args` into the arena in `placement`; the arrays to call with."""
        views = self.views(placement)
        for v, a in zip(views, args):
            np.copyto(v, a)
        return views

    def table(self, placement: Placement) -> _Table:
        """The fault handler's table for `placement`: each guard page and what a hit there means."""
        if placement not in self._tables:
            n, msgs = len(self.names), []
            for k in range(n + 1):
                if placement is Placement.END:
                    what = f"past the end of %{self.names[k - 1]}" if k else f"before the start of %{self.names[0]}"
                else:
                    what = f"before the start of %{self.names[k]}" if k < n else f"past the end of %{self.names[-1]}"
                msgs.append(f"{MARKER}: an out-of-bounds access {what} hit a guard page\n".encode())
            self._tables[placement] = _Table([(self.base + g, self.base + g + PAGE, m)
                                              for g, m in zip(self.guards, msgs)])
        return self._tables[placement]


class _Table:
    """(lo, hi, message address, message length) per guard page, as the handler reads them."""

    def __init__(self, entries):
        self.messages = [ctypes.create_string_buffer(m, len(m)) for _, _, m in entries]  # kept alive here
        flat = []
        for (lo, hi, m), buf in zip(entries, self.messages):
            flat += [lo, hi, ctypes.addressof(buf), len(m)]
        self.array = (ctypes.c_uint64 * len(flat))(*flat)
        self.count = len(entries)


class _Sigaction(ctypes.Structure):  # glibc's struct sigaction on 64-bit Linux (x86_64, aarch64)
    _fields_ = [("sa_sigaction", ctypes.c_void_p), ("sa_mask", ctypes.c_uint64 * 16),
                ("sa_flags", ctypes.c_int), ("sa_restorer", ctypes.c_void_p)]


_libc.sigaction.argtypes = [ctypes.c_int, ctypes.POINTER(_Sigaction), ctypes.POINTER(_Sigaction)]

# siginfo_t's si_addr is at byte 16 on 64-bit Linux; each table entry is four i64 (lo, hi, msg, len).
_HANDLER = """
module {
  llvm.func @write(i32, !llvm.ptr, i64) -> i64
  llvm.func @_exit(i32)
  llvm.mlir.global internal @nj_guard_tab(0 : i64) : i64
  llvm.mlir.global internal @nj_guard_n(0 : i64) : i64
  llvm.func @_mlir_nj_guard_set(%tab: i64, %n: i64) {
    %a = llvm.mlir.addressof @nj_guard_tab : !llvm.ptr
    llvm.store %tab, %a : i64, !llvm.ptr
    %b = llvm.mlir.addressof @nj_guard_n : !llvm.ptr
    llvm.store %n, %b : i64, !llvm.ptr
    llvm.return
  }
  llvm.func @_mlir_nj_guard_handler(%sig: i32, %info: !llvm.ptr, %uctx: !llvm.ptr) {
    %ap = llvm.getelementptr %info[16] : (!llvm.ptr) -> !llvm.ptr, i8
    %fp = llvm.load %ap : !llvm.ptr -> !llvm.ptr
    %addr = llvm.ptrtoint %fp : !llvm.ptr to i64
    %ta = llvm.mlir.addressof @nj_guard_tab : !llvm.ptr
    %ti = llvm.load %ta : !llvm.ptr -> i64
    %tab = llvm.inttoptr %ti : i64 to !llvm.ptr
    %na = llvm.mlir.addressof @nj_guard_n : !llvm.ptr
    %n = llvm.load %na : !llvm.ptr -> i64
    %zero = llvm.mlir.constant(0 : i64) : i64
    llvm.br ^loop(%zero : i64)
  ^loop(%k: i64):
    %more = llvm.icmp "slt" %k, %n : i64
    llvm.cond_br %more, ^body, ^miss
  ^body:
    %c4 = llvm.mlir.constant(4 : i64) : i64
    %i = llvm.mul %k, %c4 : i64
    %p = llvm.getelementptr %tab[%i] : (!llvm.ptr, i64) -> !llvm.ptr, i64
    %lo = llvm.load %p : !llvm.ptr -> i64
    %p1 = llvm.getelementptr %p[1] : (!llvm.ptr) -> !llvm.ptr, i64
    %hi = llvm.load %p1 : !llvm.ptr -> i64
    %p2 = llvm.getelementptr %p[2] : (!llvm.ptr) -> !llvm.ptr, i64
    %mi = llvm.load %p2 : !llvm.ptr -> i64
    %msg = llvm.inttoptr %mi : i64 to !llvm.ptr
    %p3 = llvm.getelementptr %p[3] : (!llvm.ptr) -> !llvm.ptr, i64
    %len = llvm.load %p3 : !llvm.ptr -> i64
    %ge = llvm.icmp "uge" %addr, %lo : i64
    %lt = llvm.icmp "ult" %addr, %hi : i64
    %in = llvm.and %ge, %lt : i1
    %one = llvm.mlir.constant(1 : i64) : i64
    %next = llvm.add %k, %one : i64
    llvm.cond_br %in, ^hit(%msg, %len : !llvm.ptr, i64), ^loop(%next : i64)
  ^hit(%m: !llvm.ptr, %l: i64):
    %fd = llvm.mlir.constant(2 : i32) : i32
    %w = llvm.call @write(%fd, %m, %l) : (i32, !llvm.ptr, i64) -> i64
    %code = llvm.mlir.constant(GUARD_EXIT : i32) : i32
    llvm.call @_exit(%code) : (i32) -> ()
    llvm.unreachable
  ^miss:
    llvm.return
  }
}
"""


class FaultHandler:
    """The JIT-compiled SIGSEGV handler; `armed(table)` installs it around one guarded call."""

    def __init__(self):
        from mlir import ir
        from mlir.execution_engine import ExecutionEngine

        self._context = ir.Context()
        with self._context, ir.Location.unknown():
            module = ir.Module.parse(_HANDLER.replace("GUARD_EXIT", str(GUARD_EXIT)))
            self._engine = ExecutionEngine(module, opt_level=2)
        self._set = ctypes.CFUNCTYPE(None, ctypes.c_uint64, ctypes.c_uint64)(self._engine.raw_lookup("nj_guard_set"))
        self._action = _Sigaction(self._engine.raw_lookup("nj_guard_handler"), (ctypes.c_uint64 * 16)(),
                                  _SA_SIGINFO | _SA_RESETHAND, None)

    @contextlib.contextmanager
    def armed(self, table: _Table):
        self._set(ctypes.addressof(table.array), table.count)
        old = _Sigaction()
        if _libc.sigaction(_SIGSEGV, ctypes.byref(self._action), ctypes.byref(old)) != 0:
            raise OSError(ctypes.get_errno(), "sigaction(SIGSEGV) failed")
        try:
            yield
        finally:
            _libc.sigaction(_SIGSEGV, ctypes.byref(old), None)
            self._set(0, 0)


@functools.cache
def fault_handler() -> FaultHandler:
    """One handler per process (compiled on first use, ~tens of ms)."""
    return FaultHandler()
