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


class LinearityError(KernelError):
    """A TensorLang value of linear type is not used exactly once, or is used inside a loop body.

    The message names the value's location and the location of each use (file:line:col)."""


class ScheduleError(NeuroJITError):
    """A transform schedule is malformed, misses a knob value, or does not apply to the kernel."""


class CompileError(NeuroJITError):
    """The kernel verified but could not be lowered or JIT-compiled."""


class CallError(NeuroJITError, TypeError):
    """A compiled kernel was called with arrays that do not match its signature."""


class AssertionFailed(NeuroJITError):
    """An assertion of a kernel (`tensorlang.assert`, or a `cf.assert` the user wrote) failed during a call.

    The kernel ran to its end (a failing assertion is a status the runtime reads after the call, never an
    abort); its outputs are unspecified. `message` and `location` (file:line:col) are the assertion's,
    `inputs` the arrays the call was given (copies), `index` its position among the kernel's assertions."""

    def __init__(self, message: str, location: str, inputs: tuple = (), index: int = 0):
        self.message, self.location, self.inputs, self.index = message, location, tuple(inputs), index
        super().__init__(f"{location}: assertion failed: {message}")


def describe(e: NeuroJITError) -> dict:
    """A user error as plain data, to cross a process boundary (see `rebuild`)."""
    return {"error": type(e).__name__, "message": str(e), "location": getattr(e, "location", None)}


def rebuild(reply: dict) -> NeuroJITError:
    """The error `describe` gave, as the same class with the same message and location."""
    cls = globals().get(reply.get("error"), CompileError)
    if not (isinstance(cls, type) and issubclass(cls, NeuroJITError)) or cls is AssertionFailed:
        cls = CompileError
    exc = cls.__new__(cls)
    Exception.__init__(exc, reply["message"])
    if issubclass(cls, KernelError):
        exc.location = reply.get("location")
    return exc
