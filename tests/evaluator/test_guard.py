"""Guard pages of the checked build (evaluator/guard.py): placement arithmetic, and a fault reported as such."""

import ctypes
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from neurojit.compiler.kernel import Arg, Signature
from neurojit.evaluator.guard import GUARD_EXIT, MARKER, PAGE, Arena, Placement


def _sig():
    return Signature("f", (Arg("x", (1003,), "float32", "in"), Arg("y", (7, 3), "int64", "in"),
                           Arg("out", (1024,), "float32", "out")))


def _readable(addr: int) -> bool:
    """Whether one byte at `addr` can be read, asked of the kernel (write(2) to a pipe fails with EFAULT)."""
    r, w = os.pipe()
    try:
        return ctypes.CDLL(None).write(w, ctypes.c_void_p(addr), 1) == 1
    finally:
        os.close(r)
        os.close(w)


@pytest.mark.parametrize("placement", list(Placement))
def test_every_argument_touches_a_guard_page(placement):
    arena = Arena(_sig())
    views = arena.load(placement, [np.arange(1003, dtype=np.float32), np.ones((7, 3), np.int64),
                                   np.zeros(1024, np.float32)])
    for v in views:
        start, end = v.ctypes.data, v.ctypes.data + v.nbytes
        assert start % v.itemsize == 0 and _readable(start) and _readable(end - 1)
        if placement is Placement.END:
            assert end % PAGE == 0 and not _readable(end)
        else:
            assert start % PAGE == 0 and not _readable(start - 1)
    assert views[0][-1] == 1002 and views[1].sum() == 21


KERNEL = """
module {
  func.func @ew(%x: memref<1003xf32>, %out: memref<1003xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %n = arith.constant 1003 : index
    %z = arith.constant dense<0.0> : vector<8xf32>
    scf.for %i = %c0 to UPPER step %c8 {
      %j = arith.subi %i, %c1 : index
      %rem = arith.subi %n, %i : index
      %m = vector.create_mask %rem : vector<8xi1>
      LOAD
      vector.maskedstore %out[%i], %m, %v : memref<1003xf32>, vector<8xi1>, vector<8xf32>
    }
    return
  }
}"""
PLAIN = "%v = vector.load %x[IDX] : memref<1003xf32>, vector<8xf32>"
MASKED = "%v = vector.maskedload %x[%i], %m, %z : memref<1003xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>"


def _kernel(load: str, idx: str = "%i", upper: str = "%n") -> str:
    return KERNEL.replace("LOAD", load.replace("IDX", idx)).replace("UPPER", upper)


RUN = """
import sys, numpy as np
from mlir import ir
from neurojit.compiler.build import Parsed, lower_parsed
from neurojit.compiler.jit import CompiledKernel
from neurojit.compiler.kernel import parse_module, signature_of
from neurojit.evaluator.guard import Arena, Placement, fault_handler
text = sys.stdin.read()
with ir.Context() as ctx, ir.Location.unknown():
    m = parse_module(text, "k", ctx)
    sig = signature_of(m, "k", text)
    kernel = CompiledKernel(lower_parsed(Parsed(m, sig, str(m), "k")))
arena = Arena(sig)
for p in sys.argv[1:]:
    args = arena.load(Placement(p), [np.ones(1003, np.float32), np.zeros(1003, np.float32)])
    with fault_handler().armed(arena.table(Placement(p))):
        kernel(*args)
    print("ran", p, flush=True)
"""


def _run(kernel: str, *placements: str):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(RUN), *placements], input=kernel,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_out_of_bounds_vector_reads_fault_in_the_placement_that_sees_them():
    past_end = _run(_kernel(PLAIN), "start", "end")  # reads 5 floats past the end of %x
    assert "ran start" in past_end.stdout and past_end.returncode == GUARD_EXIT, past_end.stderr
    assert f"{MARKER}: an out-of-bounds access past the end of %x hit a guard page" in past_end.stderr
    before = _run(_kernel(PLAIN, "%j", "%c8"), "end", "start")  # x[-1 .. 6] on the only iteration
    assert "ran end" in before.stdout and before.returncode == GUARD_EXIT, before.stderr
    assert "before the start of %x" in before.stderr
    clean = _run(_kernel(MASKED), "end", "start")
    assert clean.returncode == 0 and "ran end" in clean.stdout and "ran start" in clean.stdout, clean.stderr


def test_a_fault_elsewhere_still_dies_as_a_crash():
    code = ("import ctypes\nfrom neurojit.evaluator.guard import Arena, Placement, fault_handler\n"
            "from neurojit.compiler.kernel import Arg, Signature\n"
            "arena = Arena(Signature('f', (Arg('x', (4,), 'float32', 'out'),)))\n"
            "with fault_handler().armed(arena.table(Placement.END)):\n    ctypes.string_at(16, 4)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == -11 and MARKER not in r.stderr


def test_a_guard_page_death_is_classified_by_the_handler_s_exit_and_line():
    from neurojit.evaluator.pool import _classify_death
    from neurojit.evaluator.record import Reason

    line = f"warm | {MARKER}: an out-of-bounds access past the end of %x hit a guard page"
    reason, how, detail = _classify_death(GUARD_EXIT, "'checked_run'", line)
    assert (reason, how) == (Reason.UNSAFE_MEMORY, "guard page")
    assert detail == "an out-of-bounds access past the end of %x hit a guard page during 'checked_run'"
    # the marker alone (a kernel's own print) neither raises in the host nor passes for a guard-page hit
    reason, how, _ = _classify_death(-11, "'equivalence'", f"printed {MARKER} then crashed")
    assert (reason, how) == (Reason.CRASH, "signal SIGSEGV")
