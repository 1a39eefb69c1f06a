"""A trial call in a forked child: whether a kernel returns normally on some arguments, without risking this
process (a division by zero is SIGFPE, a failed bounds check aborts, a wild access is SIGSEGV)."""

from __future__ import annotations

import faulthandler
import gc
import os
import signal


def death(fn, args) -> str | None:
    """None when `fn(*copies of args)` returns normally in a forked child, else how the child ended ("signal
    SIGFPE", "an exception").

    The child runs no garbage collection: this process may hold earlier kernels in reference cycles, and a
    collection in the child would destroy their MLIR contexts, whose thread pools' threads exist only in the
    parent (~llvm::StdThreadPool waits on or joins them: the child hung or died of SIGSEGV, and every pair of a
    baseline was skipped as if it failed its bounds checks). Disabled before the fork, so that neither the
    fork's own Python callbacks (os.register_at_fork) nor the call can start one."""
    enabled, pid = gc.isenabled(), -1
    gc.disable()
    try:
        pid = os.fork()
    finally:
        if enabled and pid != 0:  # the parent (or a failed fork) collects as before
            gc.enable()
    if pid == 0:  # the child: never returns into the parent's code
        faulthandler.disable()  # a death here is an answer, not a crash to report (pytest enables it)
        try:
            fn(*[a.copy() for a in args])
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"signal {signal.Signals(sig).name}" if sig in signal.Signals._value2member_map_ else f"signal {sig}"
    return None if os.WEXITSTATUS(status) == 0 else "an exception"


def survives(fn, args) -> bool:
    return death(fn, args) is None
