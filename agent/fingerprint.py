"""What a stored verdict must share with a run that reuses it instead of evaluating again (session.py): the
code that decided it and the machine that timed it.

A verdict depends on the compiler (what a schedule lowers to: outputs compiled `noalias` made a naive 3x3
filter 2x faster, so every speedup over it changed) and on the evaluator (a false rejection mended stays
rejected if an earlier run's verdict is reused: a packed matmul by inlined weights was), and its timing on the
machine. So `build()` hashes the source of both packages with the host's CPU and core count; a run records it
in its host description, and a cached verdict is reused only from runs that recorded the same one.
"""

from __future__ import annotations

import functools
import hashlib
import pathlib

from neurojit import compiler, evaluator
from neurojit.compiler import host


@functools.cache
def build() -> str:
    h = hashlib.sha256()
    for package in (compiler, evaluator):
        root = pathlib.Path(package.__file__).parent
        for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".c") and p.is_file()):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    me = host()
    h.update(f"{me.cpu} {me.cores} {' '.join(sorted(me.features))}".encode())
    return h.hexdigest()[:16]
