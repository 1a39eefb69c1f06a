"""MLIR -> LLVM -> native code: kernels, schedules, the JIT, live swapping and export.

Imports nothing from the agent, evaluator or experiments (data flows agent -> evaluator -> compiler).
"""

from .build import Lowered, lower_kernel
from .errors import (AssertionFailed, CallError, CompileError, KernelError, LinearityError, NeuroJITError,
                     ScheduleError, SourceError)
from .export import export
from .host import Host, host
from .jit import CompiledKernel, compile_kernel
from .frontend import Form
from .kernel import Arg, Assertion, Kernel, Signature, load_kernel
from .live import LiveKernel
from .pipeline import LOWER, Pipeline, lowering
from .schedule import apply_schedule, knobs_of, substitute

__all__ = [
    "Arg", "Assertion", "AssertionFailed", "CallError", "Form", "LinearityError", "CompileError", "CompiledKernel", "Host", "Kernel", "KernelError", "LOWER",
    "LiveKernel", "Lowered", "NeuroJITError", "Pipeline", "ScheduleError", "Signature", "SourceError",
    "apply_schedule", "compile_kernel", "export", "host", "knobs_of", "load_kernel", "lower_kernel",
    "lowering", "substitute",
]
