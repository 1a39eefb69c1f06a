"""Run the whole lowering once in a child process, so MLIR's assertions cannot take down the caller.

MLIR here is built with assertions, and every stage can `abort()` the process on some input; seen here:
verification (`floordiv 0` in a linalg indexing map), lowering (`memref<2x9223372036854775807xf32>`
overflows a stride computation in convert-func-to-llvm), the transform interpreter (a negative tile
size) and translation to LLVM IR (a vector of 2^32 elements). So nothing the user hands in is parsed in
this process before the child has survived the same work. The child runs exactly the in-process path
(`lower_kernel` + translation); if it dies, the caller gets a `CompileError` naming the signal and the
child's last words; if it reports a NeuroJIT error, the same error is raised here. Known-good variants
are remembered per process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading

from . import errors
from .kernel import ir_hash
from .source import Source

_known_good: set[str] = set()
_lock = threading.Lock()
TIMEOUT_S = 120


def preflight(src: Source, schedule: str | None = None, knobs: dict | None = None) -> None:
    key = ir_hash(src.text, schedule, sorted((knobs or {}).items()))
    with _lock:
        if key in _known_good:
            return
    request = json.dumps({"text": src.text, "origin": src.name, "schedule": schedule, "knobs": knobs})
    try:
        proc = subprocess.run([sys.executable, "-m", "neurojit.compiler.preflight"], input=request,
                              capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise errors.CompileError(f"{src.name}: compiling took longer than {TIMEOUT_S} s; the kernel is too large or MLIR hung") from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1][:300]
        how = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit code {proc.returncode}"
        raise errors.CompileError(f"{src.name}: MLIR crashed while compiling this kernel ({how}): {last}")
    reply = json.loads(proc.stdout.strip().splitlines()[-1])
    if reply["ok"]:
        with _lock:
            _known_good.add(key)
        return
    cls = getattr(errors, reply["error"], errors.CompileError)
    exc = cls.__new__(cls)
    Exception.__init__(exc, reply["message"])
    raise exc


def _child() -> int:
    req = json.loads(sys.stdin.read())
    from mlir import ir
    from mlir.dialects import llvm

    from .build import lower_kernel

    try:
        lowered = lower_kernel(Source(req["text"], req["origin"]), req["schedule"], req["knobs"])
        with lowered.module.context:
            llvm.translate_module_to_llvmir(lowered.module.operation)
        reply = {"ok": True}
    except errors.NeuroJITError as e:
        reply = {"ok": False, "error": type(e).__name__, "message": str(e)}
    except ir.MLIRError as e:
        reply = {"ok": False, "error": "CompileError", "message": f"{req['origin']}: {e}"}
    print(json.dumps(reply))
    return 0


if __name__ == "__main__":
    sys.exit(_child())
