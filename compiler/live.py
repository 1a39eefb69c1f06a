"""A live function whose implementation can be swapped atomically while other threads call it.

Atomicity comes from one reference assignment: `__call__` reads `self._live` once, so a call in flight
finishes on the code it started with, the next call sees the new one, and the old CompiledKernel (with
its ExecutionEngine) is freed by reference counting only when the last call using it has returned.
The way it is called (results returned, assertion status read: calls.py) is the first kernel's, kept
across swaps: a variant has the same arguments, though a replacement module may lack the annotations.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from .calls import user_call
from .errors import NeuroJITError
from .jit import CompiledKernel, compile_kernel


@dataclass(frozen=True)
class Event:
    """One entry of `LiveKernel.history`: what became live, when, and why."""

    at: float  # time.time()
    action: str  # "start", "swap" or "rollback"
    variant: str  # variant hash (normalised IR + schedule + knobs)
    source_hash: str  # normalised kernel the variant was built from
    note: str = ""


class LiveKernel:
    """Callable kernel with `.swap(new)`, `.rollback()` and `.history`."""

    def __init__(self, kernel, keep: int = 8):
        """keep: how many earlier variants stay loaded for `rollback` (older ones are released)."""
        impl = kernel if isinstance(kernel, CompiledKernel) else compile_kernel(kernel)
        self._keep = max(2, keep)
        self._interface = impl.signature
        self._live = (impl, impl.call)
        self._stack = [impl]
        self._lock = threading.Lock()
        self._history = [Event(time.time(), "start", impl.variant_hash, impl.source_hash)]

    def __call__(self, *arrays):
        return self._live[1](arrays)

    @property
    def _impl(self) -> CompiledKernel:
        return self._live[0]

    @property
    def current(self) -> CompiledKernel:
        return self._live[0]

    @property
    def signature(self):
        return self._live[0].signature

    def _install(self, impl: CompiledKernel) -> None:
        call = impl.call if impl.signature == self._interface else user_call(impl.call_tuple, self._interface)
        self._live = (impl, call)

    @property
    def history(self) -> list[Event]:
        return list(self._history)

    def swap(self, new, note: str = "") -> CompiledKernel:
        """Make `new` (a CompiledKernel or a kernel source) the live implementation; return it."""
        impl = new if isinstance(new, CompiledKernel) else compile_kernel(new)
        if impl.signature.key() != self._impl.signature.key():
            raise NeuroJITError(
                f"cannot swap in {impl.signature.describe()}: the live kernel is {self._impl.signature.describe()}; "
                "a variant must keep the public name and argument types"
            )
        with self._lock:
            self._stack.append(impl)
            del self._stack[: -self._keep]
            self._install(impl)
            self._history.append(Event(time.time(), "swap", impl.variant_hash, impl.source_hash, note))
        return impl

    def rollback(self, note: str = "") -> CompiledKernel:
        """Return to the variant that was live before the last swap."""
        with self._lock:
            if len(self._stack) < 2:
                raise NeuroJITError("nothing to roll back: no earlier variant is loaded")
            self._stack.pop()
            impl = self._stack[-1]
            self._install(impl)
            self._history.append(Event(time.time(), "rollback", impl.variant_hash, impl.source_hash, note))
        return impl

    def __repr__(self) -> str:
        return f"<LiveKernel {self._impl.signature.describe()} live={self._impl.variant_hash} swaps={len(self._history) - 1}>"
