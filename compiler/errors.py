"""The one exception root for everything a user can cause.

Errors a user can cause (a bad file, a kernel outside the convention, a wrong array) derive from
`NeuroJITError` and carry one sentence saying what is wrong and what to do; the CLI prints that sentence
and exits 2. Anything else is our bug and keeps its traceback.
"""

from __future__ import annotations


class NeuroJITError(Exception):
    """Root of all user-facing NeuroJIT errors."""


class SourceError(NeuroJITError):
    """The kernel source could not be read (missing file, not text)."""


class KernelError(NeuroJITError):
    """The kernel is not valid MLIR or breaks the kernel convention.

    `location` is "file:line:col" where MLIR gives one.
    """

    def __init__(self, message: str, location: str | None = None):
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class ScheduleError(NeuroJITError):
    """A transform schedule is malformed, misses a knob value, or does not apply to the kernel."""


class CompileError(NeuroJITError):
    """The kernel verified but could not be lowered or JIT-compiled."""


class CallError(NeuroJITError, TypeError):
    """A compiled kernel was called with arrays that do not match its signature."""
