"""The TVM half of benchmarks/tvm_compare.py: runs under an interpreter that has apache-tvm, imports no neurojit.

Two roles, each its own process so TVM's bundled LLVM never meets MLIR's libLLVM in one address space:
- `tune`: MetaSchedule tunes the kernel (the same computation as ours, written in TE) for a wall budget, stopping
  at the budget (a measure callback ends the task once it is spent), and exports the best as a shared library;
- `measure`: loads only compiled artefacts, TVM's exported library through TVM's runtime-only library
  (TVM_USE_RUNTIME_LIB=1: no compiler, no LLVM) and our libkernel.so through ctypes (plain C ABI; a parallel one
  brings MLIR's async runtime and its libLLVM), checks both against numpy, then times them and numpy with all
  threads, interleaved, on the same arrays, and writes the per-round times as JSON.

Run by tvm_compare.py: python benchmarks/tvm_side.py (tune|measure) SPEC.json
"""

from __future__ import annotations

import json
import os
import sys
import time


def accumulates(name: str) -> bool:
    """Whether our kernel reads its output (C += A @ B): TVM's function then takes it as an extra input."""
    return name != "matmul_bias_relu"


def workload(name: str, shape: dict):
    """The TE tensors of one of the compared kernels, in call order (inputs, then the output).

    Our kernels write in place (C += A @ B accumulates into C); TVM's functions return into a separate output,
    so TVM's matmul reads C0 and writes C = C0 + A @ B: the same arithmetic and memory traffic."""
    from tvm import te

    if name == "matmul_bias_relu":
        m, k_, n = shape["m"], shape["k"], shape["n"]
        a = te.placeholder((m, k_), name="A")
        w = te.placeholder((k_, n), name="W")
        bias = te.placeholder((n,), name="bias")
        k = te.reduce_axis((0, k_), name="k")
        prod = te.compute((m, n), lambda i, j: te.sum(a[i, k] * w[k, j], axis=k), name="P")
        out = te.compute((m, n), lambda i, j: te.max(prod[i, j] + bias[j], te.const(0.0, "float32")), name="Out")
        return [a, w, bias, out]
    if name.startswith("matmul"):
        n = shape["n"]
        a = te.placeholder((n, n), name="A")
        b = te.placeholder((n, n), name="B")
        c0 = te.placeholder((n, n), name="C0")
        k = te.reduce_axis((0, n), name="k")
        prod = te.compute((n, n), lambda i, j: te.sum(a[i, k] * b[k, j], axis=k), name="P")
        c = te.compute((n, n), lambda i, j: c0[i, j] + prod[i, j], name="C")
        return [a, b, c0, c]
    raise KeyError(name)


def tune(spec: dict) -> dict:
    """MetaSchedule for spec['budget_s'] seconds of wall time; export the best; say how many trials it ran."""
    import tvm
    from tvm import te
    from tvm.ir.utils import derived_object
    from tvm.s_tir import meta_schedule as ms
    from tvm.target import Target

    target = Target({"kind": "llvm", "mcpu": spec["mcpu"], "num-cores": spec["threads"]})
    mod = tvm.IRModule({"main": te.create_prim_func(workload(spec["kernel"], spec["shape"]))})
    started = time.monotonic()
    budget = spec["budget_s"]
    trials = [0]

    @derived_object
    class StopAtBudget(ms.measure_callback.PyMeasureCallback):
        """Ends the task once the wall budget is spent (the batch in flight finishes)."""

        def apply(self, task_scheduler, task_id, measure_candidates, builder_results, runner_results):
            trials[0] += len(runner_results)
            if time.monotonic() - started >= budget:
                task_scheduler.terminate_task(task_id)

    work = spec["work_dir"]
    database = ms.tir_integration.tune_tir(
        mod, target, work, max_trials_global=100000, num_trials_per_iter=spec["per_iter"],
        builder=ms.builder.LocalBuilder(timeout_sec=spec["build_timeout_s"]),
        measure_callbacks=[*ms.measure_callback.MeasureCallback.create("default"), StopAtBudget()],
        num_tuning_cores=spec["threads"], seed=0)
    tune_s = time.monotonic() - started
    sch = ms.tir_integration.compile_tir(database, mod, target)
    if sch is None:
        raise SystemExit(f"MetaSchedule found no valid schedule for {spec['kernel']} in {tune_s:.0f} s")
    lib = tvm.compile(sch.mod, target=target)
    lib.export_library(spec["library"])
    return {"tune_s": tune_s, "trials": trials[0], "library": spec["library"]}


def _ours(path: str, symbol: str, nargs: int):
    import ctypes

    fn = getattr(ctypes.CDLL(path), symbol)
    fn.restype = None
    fn.argtypes = [ctypes.c_void_p] * nargs
    return lambda *arrays: fn(*(a.ctypes.data for a in arrays))


def _numpy_reference(name: str):
    """numpy doing the same work on the kernels' arrays, in place like ours (outputs last)."""
    import numpy as np

    if name == "matmul_bias_relu":
        return lambda a, w, bias, out: np.maximum(np.add(np.matmul(a, w, out=out), bias, out=out), 0, out=out)
    return lambda a, b, c: np.add(c, a @ b, out=c)


def _aligned(values):
    """A copy of `values` at a 64-byte boundary (TVM's DLPack import requires it; both kernels get such arrays)."""
    import numpy as np

    raw = np.empty(values.nbytes + 64, dtype=np.uint8)
    start = -raw.ctypes.data % 64
    out = raw[start:start + values.nbytes].view(values.dtype).reshape(values.shape)
    out[...] = values
    return out


def measure(spec: dict) -> dict:
    """Both winners and numpy on the same inputs, checked, then timed in interleaved rounds (seconds per call)."""
    import numpy as np

    os.environ["TVM_USE_RUNTIME_LIB"] = "1"  # the runtime only: no LLVM of TVM's in this process
    os.environ["TVM_NUM_THREADS"] = str(spec["threads"])
    import tvm
    from threadpoolctl import threadpool_info

    from interleave import OtherLoad, timed_rounds, wait_quiet

    rng = np.random.default_rng(0)
    inputs = [_aligned(rng.standard_normal(s, dtype=np.float32)) for s in spec["shapes"]]  # inputs, then output
    ours = _ours(spec["ours"], spec["symbol"], len(inputs))
    theirs = tvm.runtime.load_module(spec["library"])["main"]
    ref = _numpy_reference(spec["kernel"])
    out_ours, out_np, out_tvm = (_aligned(inputs[-1]) for _ in range(3))
    read = inputs if accumulates(spec["kernel"]) else inputs[:-1]
    tv = [tvm.runtime.from_dlpack(x) for x in (*read, out_tvm)]  # zero-copy views of the numpy arrays
    ours(*inputs[:-1], out_ours)
    theirs(*tv)
    ref(*inputs[:-1], out_np)
    scale = float(np.abs(out_np).max()) or 1.0
    errors = {"ours": float(np.abs(out_ours - out_np).max()) / scale,
              "tvm": float(np.abs(out_tvm - out_np).max()) / scale}
    calls = {"numpy": lambda: ref(*inputs[:-1], out_np), "tvm": lambda: theirs(*tv),
             "ours": lambda: ours(*inputs[:-1], out_ours)}
    quiet = wait_quiet(spec.get("quiet_wait_s", 0))
    with OtherLoad() as others:
        times = timed_rounds(calls, spec["rounds"])
    blas = [f"{i.get('internal_api')} {i.get('version')} kernel {i.get('architecture')}, {i.get('num_threads')} "
            f"thread(s)" for i in threadpool_info() if i.get("user_api") == "blas"]
    return {"times": times, "rel_err": errors, "blas": "; ".join(blas), "load": os.getloadavg()[0],
            "others": others.share, "quiet_before": quiet}


def main() -> None:
    role, spec_path = sys.argv[1], sys.argv[2]
    spec = json.loads(open(spec_path).read())
    if role == "measure":
        import blas  # noqa: F401  (before numpy: OpenBLAS's own kernel; see benchmarks/blas.py)

        for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
            os.environ[v] = str(spec["threads"])  # numpy with all threads, like the two kernels
        result = measure(spec)
    elif role == "tune":
        result = tune(spec)
    else:
        raise SystemExit(f"unknown role {role!r}: tune or measure")
    with open(spec["result"], "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
