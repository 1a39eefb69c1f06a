"""NeuroJIT's async runtime (compiler/async_runtime.c) under stress: a C harness (async_stress.c) drives MLIR's
async runtime ABI as lowered kernels do, from several threads, with forks, and checks every result; built plain
(-O2, the pool spinning and sleeping at once) and under ThreadSanitizer where this machine can run it."""

import os
import pathlib
import shutil
import subprocess

import pytest

HERE = pathlib.Path(__file__).resolve().parent
COMPILER = HERE.parent.parent / "compiler"
CC = shutil.which("cc") or shutil.which("gcc")

pytestmark = pytest.mark.skipif(CC is None, reason="needs a C compiler")


def _build(tmp_path, *flags) -> pathlib.Path:
    exe = tmp_path / "async_stress"
    build = subprocess.run([CC, *flags, "-g", "-pthread", f"-I{COMPILER}", "-o", str(exe), str(HERE / "async_stress.c")],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    return exe


def _run(exe, *args, **env):
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})


@pytest.mark.parametrize("spin", ["2000", "0"])
def test_stress_plain(tmp_path, spin):
    exe = _build(tmp_path, "-O2")
    run = _run(exe, 1500, 3, 2, NEUROJIT_SPIN_US=spin)
    assert run.returncode == 0 and run.stdout.startswith("ok"), run.stderr[-2000:]
    during = _run(exe, 300, 2, 0, NEUROJIT_SPIN_US=spin, FORK_DURING="3", SEED="5")
    assert during.returncode == 0 and during.stdout.startswith("ok"), during.stderr[-2000:]


def test_stress_under_thread_sanitizer(tmp_path):
    try:
        exe = _build(tmp_path, "-O1", "-fsanitize=thread")
    except AssertionError as e:
        pytest.skip(f"no ThreadSanitizer here: {str(e)[-200:]}")
    run = _run(exe, 600, 2, 0, TSAN_OPTIONS="halt_on_error=1")
    if run.returncode != 0 and "FATAL: ThreadSanitizer" in run.stderr:
        pytest.skip(f"ThreadSanitizer cannot run on this kernel: {run.stderr.strip().splitlines()[0][:200]}")
    assert run.returncode == 0 and "WARNING: ThreadSanitizer" not in run.stderr, run.stderr[-3000:]
