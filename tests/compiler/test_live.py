"""LiveKernel: atomic swaps while threads call it, rollback, history, and release of old code."""

import gc
import threading
import time
import weakref

import numpy as np
import pytest

import neurojit
from neurojit.compiler import NeuroJITError, compile_kernel

N = 128


def variant(k: int) -> str:
    """out = x + k: the result tells which variant computed it."""
    return f"""#id = affine_map<(i, j) -> (i, j)>
func.func @shift(%x: memref<{N}x{N}xf32>, %out: memref<{N}x{N}xf32>) {{
  %k = arith.constant {k}.0 : f32
  linalg.generic {{indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}}
      ins(%x : memref<{N}x{N}xf32>) outs(%out : memref<{N}x{N}xf32>) {{
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %k : f32
    linalg.yield %r : f32
  }}
  return
}}
"""


def test_swap_under_two_calling_threads():
    variants = [compile_kernel(variant(k)) for k in range(5)]
    live = neurojit.LiveKernel(variants[0])
    stop = threading.Event()
    seen, errors = [[], []], []

    def worker(t):
        rng = np.random.default_rng(t)
        x = rng.standard_normal((N, N)).astype(np.float32)
        out = np.empty_like(x)
        while not stop.is_set():
            out.fill(np.nan)
            live(x, out)
            k = np.rint(out[0, 0] - x[0, 0])
            if not (0 <= k < len(variants)) or not np.array_equal(out, x + np.float32(k)):
                errors.append("a result matches no variant")  # torn or wrong
            seen[t].append(int(k))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(2)]
    for th in threads:
        th.start()
    t0 = time.perf_counter()
    for k in range(1, len(variants)):
        time.sleep(0.25)
        live.swap(variants[k], note=f"variant {k}")
    time.sleep(0.25)
    stop.set()
    for th in threads:
        th.join()
    assert time.perf_counter() - t0 >= 1.0
    assert not errors
    for s in seen:
        assert s == sorted(s), "a thread saw an older variant after a newer one"
        assert set(s) == set(range(len(variants))), "each swap must reach the callers"
    assert [e.action for e in live.history] == ["start"] + ["swap"] * 4
    assert live.history[-1].variant == variants[-1].variant_hash


def test_rollback_and_history():
    a, b = compile_kernel(variant(1)), compile_kernel(variant(2))
    live = neurojit.LiveKernel(a)
    x = np.ones((N, N), np.float32)
    out = np.empty_like(x)
    live.swap(b)
    live(x, out)
    assert out[0, 0] == 3
    live.rollback(note="shadow run disagreed")
    live(x, out)
    assert out[0, 0] == 2
    assert [e.action for e in live.history] == ["start", "swap", "rollback"]
    assert live.history[-1].note == "shadow run disagreed"
    with pytest.raises(NeuroJITError, match="nothing to roll back"):
        live.rollback()


def test_swap_rejects_a_different_signature():
    live = neurojit.LiveKernel(compile_kernel(variant(0)))
    other = variant(0).replace("@shift", "@other")
    with pytest.raises(NeuroJITError, match="keep the public name"):
        live.swap(other)


def test_old_code_is_released_when_unused():
    live = neurojit.LiveKernel(compile_kernel(variant(7), cache=False), keep=2)
    first = weakref.ref(live.current)
    for k in (8, 9):
        live.swap(compile_kernel(variant(k), cache=False))
    gc.collect()
    assert first() is None, "a variant beyond the rollback depth must be freed"
