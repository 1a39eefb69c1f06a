"""NeuroJIT: an agent searches over variants of a compute kernel; the best verified one is hot-swapped
into a live JIT. Public names (DESIGN §4) are re-exported here."""

from neurojit.compiler import (
    AssertionFailed,
    CallError,
    CompiledKernel,
    CompileError,
    KernelError,
    LinearityError,
    LiveKernel,
    NeuroJITError,
    ScheduleError,
    SourceError,
    export,
)
from neurojit.compiler import compile_kernel as compile

__version__ = "0.1.0"

__all__ = [
    "AssertionFailed", "CallError", "LinearityError", "CompileError", "CompiledKernel", "KernelError", "LiveKernel", "NeuroJITError",
    "ScheduleError", "SourceError", "compile", "export", "__version__",
]
