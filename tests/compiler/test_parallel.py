"""Parallel kernels: schedules split their outer loop over `threads` tasks on MLIR's async runtime.

The thread count is the variant's knob, written on the loop and read by the lowering; 1 is the serial code.
"""

import ctypes
import dataclasses
import json
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from support.paths import KERNELS

from neurojit.agent.analyze import analyze
from neurojit.agent.run import clamp_threads
from neurojit.agent.schedules import FusedMatmulEpilogue, PackedMatmul
from neurojit.compiler import export, host
from neurojit.compiler.errors import NeuroJITError
from neurojit.compiler.jit import compile_kernel
from neurojit.compiler.source import read_source

ODD = KERNELS / "matmul_127x255x63.mlir"
DENSE = KERNELS / "matmul_bias_relu.mlir"


def _variant(kernel, schedule, threads):
    """(schedule text, knobs) of `schedule` fitted to the kernel on a host whose run allows `threads` cores."""
    info = analyze(read_source(kernel))
    h = dataclasses.replace(host(), cores=threads)
    return schedule.text(info, h), schedule.defaults(info, h)


def _check_against_baseline(kernel, text, knobs, seed=0):
    compiled = compile_kernel(kernel, text, knobs, isolate=False)
    base = compile_kernel(kernel, isolate=False)
    rng = np.random.default_rng(seed)
    args = [rng.standard_normal(a.shape).astype(np.float32) for a in compiled.signature.args]
    want = [a.copy() for a in args]
    base(*want)
    compiled(*args)
    for got, ref in zip(args, want):
        np.testing.assert_allclose(got, ref, rtol=2e-4, atol=2e-4)
    return compiled


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_packed_matmul_odd_sizes_gives_numpys_answer(threads):
    text, knobs = _variant(ODD, PackedMatmul(), threads)
    compiled = _check_against_baseline(ODD, text, knobs)
    a, b, c = (np.random.default_rng(1).standard_normal(x.shape).astype(np.float32) for x in compiled.signature.args)
    want = c + a @ b
    compiled(a, b, c)
    np.testing.assert_allclose(c, want, rtol=1e-4, atol=1e-4)
    assert compiled.threads == threads
    assert ("mlirAsyncRuntimeExecute" in compiled.llvm_dialect) == (threads > 1)


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_fused_dense_relu_gives_numpys_answer(threads):
    text, knobs = _variant(DENSE, FusedMatmulEpilogue(), threads)
    assert knobs.get("threads", 1) == threads
    compiled = _check_against_baseline(DENSE, text, knobs)
    assert compiled.threads == threads


def test_fused_threads_divide_the_rows():
    """Chunks of equal, static size: 3 does not divide 256 rows, so a 3-core run starts at 2."""
    info = analyze(read_source(DENSE))
    h = dataclasses.replace(host(), cores=3)
    knobs = FusedMatmulEpilogue().defaults(info, h)
    space = {k.name: k for k in FusedMatmulEpilogue().space(info, h)}
    assert knobs["threads"] == 2 and space["threads"].choices == (1, 2)


def test_one_thread_is_the_serial_script():
    """threads=1: no forall, no threads knob; the text is what a 1-core host gets."""
    info = analyze(read_source(ODD))
    one = dataclasses.replace(host(), cores=1)
    many = dataclasses.replace(host(), cores=8)
    for sched in (PackedMatmul(), FusedMatmulEpilogue()):
        if not sched.applies(info):
            continue
        assert sched.text(info, one) == dataclasses.replace(sched, threads=1).text(info, many)
        assert "forall" not in sched.text(info, one) and "threads" not in sched.defaults(info, one)
        assert "threads" not in {k.name for k in sched.space(info, one)}
        assert "tile_using_forall" in sched.text(info, many)


def test_knob_reaches_the_code():
    """The same script, its knob set to 1 and to 3: the lowered kernel has async tasks only for 3."""
    text, knobs = _variant(ODD, PackedMatmul(), 3)
    serial = compile_kernel(ODD, text, {**knobs, "threads": 1}, isolate=False)
    parallel = compile_kernel(ODD, text, {**knobs, "threads": 3}, isolate=False)
    assert serial.threads == 1 and "mlirAsync" not in serial.llvm_dialect
    assert parallel.threads == 3 and "mlirAsyncRuntimeExecute" in parallel.llvm_dialect


C_MAIN = r"""
#include <stdio.h>
#include "kernel.h"
static float A[127 * 63], B[63 * 255], C[127 * 255];
int main(void) {
    FILE *f = fopen("in.bin", "rb");
    if (!f || fread(A, sizeof A, 1, f) != 1 || fread(B, sizeof B, 1, f) != 1 || fread(C, sizeof C, 1, f) != 1) return 3;
    fclose(f);
    for (int i = 0; i < 3; i++) matmul(A, B, C);  /* C += 3 A B: the runtime is reused across calls */
    f = fopen("out.bin", "wb");
    fwrite(C, sizeof C, 1, f);
    fclose(f);
    return 0;
}
"""


def test_exported_parallel_library_from_c(tmp_path):
    text, knobs = _variant(ODD, PackedMatmul(), 2)
    out = tmp_path / "export"
    manifest = export(ODD, str(out), text, knobs)
    assert manifest["runtime"]["threads"] == 2
    assert manifest["runtime"]["needs"] == [] and "async_runtime" in manifest["runtime"]["compiled_in"]
    assert json.loads((out / "manifest.json").read_text())["runtime"] == manifest["runtime"]
    assert "thread pool compiled into libkernel.so" in (out / "kernel.h").read_text()
    # the runtime is inside and private: nothing of MLIR's is needed, no mlirAsyncRuntime* is exported
    dynamic = subprocess.run(["nm", "-D", str(out / "libkernel.so")], capture_output=True, text=True).stdout
    assert "mlirAsyncRuntime" not in dynamic and " T matmul" in dynamic, dynamic
    # nor MLIR's generated helpers, named the same in every parallel kernel: only the kernel itself
    defined = subprocess.run(["nm", "-D", "--defined-only", str(out / "libkernel.so")], capture_output=True,
                             text=True).stdout
    assert [line.split()[-1] for line in defined.splitlines() if line.split()] == ["matmul"], defined
    (tmp_path / "main.c").write_text(C_MAIN)
    build = subprocess.run(["gcc", "-O1", "-o", "main", "main.c", f"-I{out}", f"-L{out}", "-lkernel",
                            f"-Wl,-rpath,{out}"], cwd=tmp_path, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    rng = np.random.default_rng(3)
    a, b, c = (rng.standard_normal(s).astype(np.float32) for s in ((127, 63), (63, 255), (127, 255)))
    (tmp_path / "in.bin").write_bytes(a.tobytes() + b.tobytes() + c.tobytes())
    run = subprocess.run(["./main"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    got = np.frombuffer((tmp_path / "out.bin").read_bytes(), np.float32).reshape(127, 255)
    np.testing.assert_allclose(got, c + 3 * (a @ b), rtol=1e-4, atol=1e-3)
    lib = ctypes.CDLL(str(out / "libkernel.so"))  # and from this process, beside the JIT's runtime
    lib.matmul.argtypes, lib.matmul.restype = [ctypes.c_void_p] * 3, None
    c2 = c.copy()
    lib.matmul(a.ctypes.data, b.ctypes.data, c2.ctypes.data)
    np.testing.assert_allclose(c2, c + a @ b, rtol=1e-4, atol=1e-4)


# In a process of its own: pinned to one core, as an evaluator worker is; a freed parallel kernel must not take
# MLIR's runtime with it (an ExecutionEngine handed the library destroys it: the next call segfaulted).
PINNED = textwrap.dedent("""
    import dataclasses, gc, os, sys
    import numpy as np
    from neurojit.agent.analyze import analyze
    from neurojit.agent.schedules import PackedMatmul
    from neurojit.compiler import host, runtime
    from neurojit.compiler.jit import CACHE, compile_kernel
    from neurojit.compiler.source import read_source
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})
    k = sys.argv[1]
    info = analyze(read_source(k))
    h = dataclasses.replace(host(), cores=2)
    s = PackedMatmul()
    first = compile_kernel(k, s.text(info, h), s.defaults(info, h), isolate=False)
    second = compile_kernel(k, s.text(info, h), {**s.defaults(info, h), "kb": 1}, isolate=False)
    args = [np.ones(a.shape, np.float32) for a in first.signature.args]
    first(*args)
    CACHE.clear(); del first; gc.collect()
    args = [np.ones(a.shape, np.float32) for a in second.signature.args]
    second(*args)
    assert np.all(args[2] == 64.0), args[2]
    assert os.sched_getaffinity(0) == {min(cores)}
    print(runtime.pool_cores(), len(cores))
""")


def test_runtime_outlives_kernels_and_is_not_held_to_a_pinned_core():
    run = subprocess.run([sys.executable, "-c", PINNED, str(ODD)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    pool, cores = map(int, run.stdout.split())
    assert pool == cores


def test_threads_clamped_to_cores():
    cores = len(os.sched_getaffinity(0))
    assert clamp_threads(0) == cores and clamp_threads(cores + 5) == cores and clamp_threads(1) == 1
    with pytest.raises(NeuroJITError):
        clamp_threads(-1)


# In a process of its own, unpinned: the pool's threads are named, pinned each to one core other than the one
# the caller ran on; a forked child gets a pool of its own (the parent's threads do not exist there).
POOL = textwrap.dedent("""
    import ctypes, dataclasses, os, sys
    import numpy as np
    from neurojit.agent.analyze import analyze
    from neurojit.agent.schedules import PackedMatmul
    from neurojit.compiler import host
    from neurojit.compiler.jit import compile_kernel
    from neurojit.compiler.source import read_source
    k = sys.argv[1]
    info = analyze(read_source(k))
    h = dataclasses.replace(host(), cores=2)
    s = PackedMatmul()
    kernel = compile_kernel(k, s.text(info, h), s.defaults(info, h), isolate=False)
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal(x.shape).astype(np.float32) for x in kernel.signature.args)
    getcpu = ctypes.CDLL(None).sched_getcpu
    for _ in range(20):
        before = getcpu()
        out = c.copy()
        kernel(a, b, out)
        if getcpu() == before:
            break
    np.testing.assert_allclose(out, c + a @ b, rtol=1e-4, atol=1e-4)
    tasks = os.listdir("/proc/self/task")
    pool = [t for t in tasks if open(f"/proc/self/task/{t}/comm").read().strip() == "nj-async"]
    masks = [os.sched_getaffinity(int(t)) for t in pool]
    assert len(pool) == len(os.sched_getaffinity(0)) - 1, (pool, tasks)
    assert all(len(m) == 1 and before not in m for m in masks), (before, masks)
    pid = os.fork()
    if pid == 0:
        out = c.copy()
        kernel(a, b, out)
        mine = [t for t in os.listdir("/proc/self/task") if open(f"/proc/self/task/{t}/comm").read().strip() == "nj-async"]
        os._exit(3 if not np.allclose(out, c + a @ b, rtol=1e-4, atol=1e-4) else 4 if len(mine) != len(pool) else 0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, status
    print("ok")
""")


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_pool_threads_are_pinned_off_the_callers_core_and_a_fork_gets_its_own():
    run = subprocess.run([sys.executable, "-c", POOL, str(ODD)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-2000:]


def test_runtime_is_built_once_into_a_private_cache(tmp_path, monkeypatch):
    from neurojit.compiler import runtime

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(runtime.tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    path = runtime.build_async()
    assert path is not None and path.startswith(str(tmp_path / "cache" / "neurojit"))
    assert oct(os.stat(os.path.dirname(path)).st_mode & 0o777) == "0o700"
    lib = ctypes.CDLL(path)
    assert lib.mlirAsyncRuntimGetNumWorkerThreads() >= 1
    mtime = os.stat(path).st_mtime_ns
    assert runtime.build_async() == path and os.stat(path).st_mtime_ns == mtime  # found, not built again
    # a cache folder others may write is not loaded from: the next place is used
    os.chmod(os.path.dirname(path), 0o777)
    other = runtime.build_async()
    assert other is not None and other.startswith(str(tmp_path / "tmp")) and other != path


ELEMENTWISE = """#id = affine_map<(i, j) -> (i, j)>
module {
  func.func @ew(%x: memref<ROWSx1027xf32>, %y: memref<ROWSx1027xf32>, %out: memref<ROWSx1027xf32>) {
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%x, %y : memref<ROWSx1027xf32>, memref<ROWSx1027xf32>) outs(%out : memref<ROWSx1027xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}
"""


def test_elementwise_maps_split_over_tasks_when_big():
    from neurojit.agent.schedules import VectorizeElementwise

    h = dataclasses.replace(host(), cores=2)
    small, big = (analyze(ELEMENTWISE.replace("ROWS", str(r))) for r in (5, 131))  # 20 KiB, 531 KiB per operand
    assert VectorizeElementwise().defaults(small, h).get("threads", 1) == 1
    assert VectorizeElementwise().defaults(big, h)["threads"] == 2
    assert VectorizeElementwise().defaults(big, dataclasses.replace(h, cores=1)).get("threads", 1) == 1
    text = ELEMENTWISE.replace("ROWS", "131")
    for tasks in (2, 3):  # 131 rows in uneven chunks
        s = VectorizeElementwise(threads=tasks)
        k = compile_kernel(text, s.text(big, h), s.defaults(big, h), isolate=False)
        assert k.threads == tasks
        rng = np.random.default_rng(tasks)
        x, y = (rng.standard_normal((131, 1027)).astype(np.float32) for _ in range(2))
        out = np.zeros_like(x)
        k(x, y, out)
        np.testing.assert_allclose(out, x * y + x, rtol=1e-6)


# a time loop around three parallel loops: 50001 elements (150K ops a step) marked for 3 tasks, 61 marked (too little work a
# dispatch), 50001 a schedule left unmarked
STEPS = """func.func @steps(%a: memref<50001xf32> {neurojit.output}, %b: memref<50001xf32> {neurojit.output},
                    %c: memref<61xf32> {neurojit.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c61 = arith.constant 61 : index
  %n = arith.constant 50001 : index
  %two = arith.constant 2.0 : f32
  scf.for %t = %c0 to %c5 step %c1 {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      %x = memref.load %a[%i] : memref<50001xf32>
      %y = arith.mulf %x, %two : f32
      memref.store %y, %a[%i] : memref<50001xf32>
      scf.reduce
    } {neurojit.threads = 3 : i64}
    scf.parallel (%i) = (%c0) to (%c61) step (%c1) {
      %x = memref.load %c[%i] : memref<61xf32>
      %y = arith.addf %x, %two : f32
      memref.store %y, %c[%i] : memref<61xf32>
      scf.reduce
    } {neurojit.threads = 3 : i64}
    scf.parallel (%i) = (%c1) to (%n) step (%c1) {
      %x = memref.load %a[%i] : memref<50001xf32>
      %z = memref.load %b[%i] : memref<50001xf32>
      %y = arith.addf %x, %z : f32
      memref.store %y, %b[%i] : memref<50001xf32>
      scf.reduce
    }
  }
  return
}"""


def test_a_marked_loop_inside_a_loop_runs_as_its_tasks_and_an_unmarked_or_small_one_serially():
    # dispatched on every step, MLIR's own split (8 blocks a worker) cost more than the cores gave (a small
    # fdtd-2d 0.53x its naive loops on 2 cores; as 2 contiguous chunks 1.45x); a loop of 61 elements a step
    # is not worth its tasks, and a loop no schedule marked is not spread at all
    from mlir import ir

    from neurojit.compiler.tasks import prepare

    with ir.Context():
        module = ir.Module.parse(STEPS)
        prepare(module)
        text = str(module)
    assert text.count("scf.parallel") == 1 and "neurojit.threads = 3" in text
    bounds = re.search(r"scf\.parallel \(%\w+\) = \((%\w+)\) to \((%\w+)\)", text)
    assert bounds and re.search(rf"{bounds.group(2)} = arith\.constant 3 : index", text)  # 3 iterations: its tasks
    k = compile_kernel(STEPS)
    assert k.threads == 3
    a, b = np.arange(50001, dtype=np.float32) % 97, np.ones(50001, np.float32)
    c = np.zeros(61, np.float32)
    want_a, want_b = a.copy(), b.copy()
    for _ in range(5):
        want_a *= 2
        want_b[1:] += want_a[1:]
    k(a, b, c)
    np.testing.assert_array_equal(a, want_a)
    np.testing.assert_array_equal(b, want_b)
    np.testing.assert_array_equal(c, np.full(61, 10.0, np.float32))
