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
import sys
import threading

from . import errors, zygote
from .kernel import ir_hash
from .source import Source, read_source

_known_good: set[str] = set()
_lock = threading.Lock()
TIMEOUT_S = 120


def preflight(src: Source, schedule: str | None = None, knobs: dict | None = None) -> None:
    src = read_source(src)  # a front-door form is converted (and lowered) in its own child first
    key = ir_hash(src.text, schedule, sorted((knobs or {}).items()))
    with _lock:
        if key in _known_good:
            return
    reply = run_child("neurojit.compiler.preflight", {"text": src.text, "origin": src.name, "schedule": schedule,
                                                      "knobs": knobs}, src.name, "compiling")
    if not reply["ok"]:
        raise errors.rebuild(reply)
    with _lock:
        _known_good.add(key)


def remember(text: str) -> None:
    """Mark `text` (a kernel without schedule) as known good: it was lowered in a child already."""
    with _lock:
        _known_good.add(ir_hash(text, None, []))


def run_child(module: str, request: dict, origin: str, doing: str) -> dict:
    """Run `python -m module` (forked from this process's zygote, zygote.py) with `request` (JSON) on stdin;
    its last line of output, as a dict. A crash or a hang is a CompileError naming what the child was `doing`
    to `origin`."""
    try:
        code, out, err = zygote.run_python(module, json.dumps(request).encode(), TIMEOUT_S)
    except TimeoutError:
        raise errors.CompileError(f"{origin}: {doing} took longer than {TIMEOUT_S} s; the kernel is too large or "
                                  "MLIR hung") from None
    if code != 0:
        last = (err.decode(errors="replace").strip().splitlines() or ["(no output)"])[-1][:300]
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        raise errors.CompileError(f"{origin}: MLIR crashed while {doing} this kernel ({how}): {last}")
    return json.loads(out.decode().strip().splitlines()[-1])


def child_reply(origin: str, work) -> dict:
    """In a child: `work()` (a dict of results) then {"ok": True, ...}, or the user error it raised as data."""
    from mlir import ir

    try:
        return {"ok": True, **work()}
    except errors.NeuroJITError as e:
        return {"ok": False, **errors.describe(e)}
    except ir.MLIRError as e:
        return {"ok": False, "error": "CompileError", "message": f"{origin}: {e}"}


def lower_all_the_way(src: Source, schedule: str | None = None, knobs: dict | None = None) -> None:
    """The whole in-process path, down to LLVM IR: what a child must survive."""
    from mlir.dialects import llvm

    from .build import check_lowered, lower_kernel

    lowered = lower_kernel(src, schedule, knobs)
    check_lowered(lowered.module, src.name)
    with lowered.module.context:
        llvm.translate_module_to_llvmir(lowered.module.operation)


def _child() -> int:
    req = json.loads(sys.stdin.read())
    src = Source(req["text"], req["origin"])
    print(json.dumps(child_reply(req["origin"], lambda: lower_all_the_way(src, req["schedule"], req["knobs"]) or {})))
    return 0


if __name__ == "__main__":
    sys.exit(_child())
