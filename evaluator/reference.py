"""Reference outputs: computed once per (kernel, seed, plan) in a trusted process and handed to the workers.

A worker runs untrusted code in its own address space, so what it computes for the baseline cannot be
trusted to stay right, and recomputing it per worker costs a naive 1024^3 matmul ~11 s a pair. Instead one
process that never runs a candidate computes, for every pair of the plan (inputs.py):
- the baseline's outputs (in their dtype), from the pair's arguments;
- the exact result: the same kernel with every f32 replaced by f64 (its *twin*: twins.py), run on the same arguments
  widened exactly; an f64 kernel's twin is in x86's 80-bit extended type (f80, numpy's longdouble: 11 more
  significand bits). Any linalg kernel converts (element types, float constants; hex constants and hex
  blobs of weights are rewritten exactly; a conversion between the two types becomes none: the twin keeps
  the wide value; a rounding to f16/bf16 goes through f32). A kernel that does not (bitcasts, math functions
  or vector reductions by IEEE maxima with no f80 lowering) has no twin: the baseline stands in for the
  exact result and the `limit` set is left out (compare.py). The twin must agree with the baseline on the
  pairs of random data wherever both are finite (where only the baseline overflowed, the twin is what judges
  another order's value: `_agrees`) or it is not used.
- for a cheap baseline, each output's rounding noise: the twin with what a correct rewrite may round differently
  rounded to the kernel's own type at random (noise.py), which widens rule 1 where the kernel's algorithm
  amplifies rounding.
- the pair's arguments themselves (for the `previous` state the outputs hold what a first call from zeros
  left), so that workers neither draw them again nor run the baseline to get them.
A slow baseline (a call over `REORDER_OVER_S`) whose ops can run in an order-keeping loop order
(reorder.py: every output element's operations in the same order, bit for bit) runs in that order from the
second pair on, and its twins (exact, magnitude, reach) from the first, once its reordered build gave
bit-identical outputs (a NaN for a NaN: `_identical`) to its naive build's on the first pair and ran faster (a
naive 1024^3 matmul: ~7 s a call, ~0.05 s reordered). `order` in the result says which were used and why. That
first naive call runs alone, timed: where the machine was otherwise idle meanwhile it is the pool's first
timing sample of the baseline (`_quiet`).
They are written as .npy files that workers map read-only. A pair on which the baseline itself crashes,
hangs or (with integer inputs, which may be indices) fails a bounds check is skipped and named in the
check's detail; pairs past the time budget are skipped in plan order. So is a pair on which the baseline's
own result is undefined: a baseline with ops whose result is poison for some operands (a shift by its width or
more, a float converted to an integer type that cannot hold it) also runs unoptimised (O0), and where the two
builds' outputs differ, what the optimiser chose is no answer a candidate can be held to (a tiling of
`x << y` itself was refused as undefined behaviour: its O0 build disagreed with the baseline's O3 answer).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pathlib
import re
import shutil
import tempfile
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from neurojit.compiler.dtypes import BFLOAT16, is_float

from . import inputs, reorder
from .indices import index_extents
from .trial import survives
from .compare import NOISE_TIMES, bounds, own_tolerance, tolerance, underflow_floor
from .inputs import Pair
from .noise import Noise, noise_spread
from .twins import (exact_twin, launders, magnitude_twin, overflow_reaches_output, range_twin, reach_twin,
                    rounds_on_purpose)
from .unoptimised import hoist_allocas

REORDER_OVER_S = 0.05  # a baseline call slower than this is tried in the order-keeping loop order
LARGE = math.log(float(np.finfo(np.float64).max))  # ~709.8: the smallest argument exp(x) overflows f64 at
LARGE_F80 = float(np.log(np.finfo(np.longdouble).max))  # ~11356.5: ... and f80 (an f64 kernel's twin)
RANGE_UNDER_S = 0.2  # an f32 kernel's f80 twin (scalar x87 code) is run where a baseline call is faster than this
REORDER_MIN_GAIN = 2.0  # ... and used if it is at least this many times faster


OUT_OF_BOUNDS = "the baseline itself fails a bounds check or crashes there"  # why a pair is skipped
UNDEFINED = ("the baseline's own result is undefined there (its unoptimised and optimised builds disagree: a shift "
             "by its width or more, a float out of its integer type's range)")
# ops whose result is poison for some operands: a baseline with one is run unoptimised too
POISON_OPS = re.compile(r"\b(?:arith|llvm)\.(?:shli|shrsi|shrui|shl|lshr|ashr|fptosi|fptoui)\b")

def _index_ranges(text: str, sig) -> dict[int, int]:
    """The baseline's integer inputs that are indices, and the extent each indexes (indices.py)."""
    from mlir import ir

    from neurojit.compiler.kernel import parse_module, public_funcs

    with ir.Context():
        module = parse_module(text, "baseline", None)
        func = public_funcs(module)[0]
        return index_extents(func, [i for i, a in enumerate(sig.args) if a.role == "in"])


# ---- in the trusted process -------------------------------------------------------------------------------

def build(text: str, origin: str, pipeline=None, opt_level: int = 3, wide: bool = False):
    """(the compiled kernel, its signature, its normalised text) of a baseline or one of its twins (whose
    arguments may be x86's f80), lowered with `pipeline` (the default lowering if None) at `opt_level`; `wide`:
    LLVM told to prefer the host's widest vectors (it prefers 256 bits on Intel's AVX-512 cores: the reordered
    1024^3 matmul on a rocketlake VM 0.062-0.068 -> 0.041 s a call, its f64 twin 0.12-0.145 -> 0.10-0.106 s)."""
    from mlir import ir

    from neurojit.compiler.build import Parsed, lower_parsed
    from neurojit.compiler.jit import CompiledKernel
    from neurojit.compiler.kernel import TWIN_DTYPES, parse_module, signature_of
    from neurojit.compiler.pipeline import LOWER

    with ir.Context() as ctx, ir.Location.unknown():
        module = parse_module(text, origin, ctx)
        sig = signature_of(module, origin, text, dtypes=TWIN_DTYPES)  # the baseline's, or a twin's
        norm = str(module)
        lowered = lower_parsed(Parsed(module, sig, norm, origin), pipeline=pipeline or LOWER)
        if opt_level == 0:
            hoist_allocas(lowered.module)
        if wide:
            _prefer_width(lowered.module)
        return CompiledKernel(lowered, opt_level=opt_level), sig, norm


def _prefer_width(module) -> None:
    """Every function of an LLVM-dialect module told to prefer the host's widest vector registers (a
    `passthrough` function attribute): an order-keeping build's results do not depend on the width (its vectors
    run across independent elements, never reassociating a sum), and the reference process checks its bits."""
    from mlir import ir

    from neurojit.compiler.host import host

    width = ir.StringAttr.get(str(host().vector_bits))
    for op in module.body.operations:
        op = op.operation
        if op.name == "llvm.func" and "passthrough" not in op.attributes:
            op.attributes["passthrough"] = ir.ArrayAttr.get([ir.ArrayAttr.get([ir.StringAttr.get("prefer-vector-width"),
                                                                               width])])


def compute(session, job: dict) -> dict:
    """Run inside a worker that only ever runs baselines: write the reference files for `job`'s plan."""
    from neurojit.compiler.flops import count_flops, reduction_depth
    from neurojit.compiler.pipeline import lowering

    cfg = job["config"]
    seed, root = cfg["seed"], pathlib.Path(job["dir"])
    session.stage("reference_compile", cfg["compile_timeout_s"])

    base, sig, normalised = build(job["baseline"], job.get("baseline_origin", "baseline"))
    # Integer inputs may be indices (a gather, a histogram): a pair whose values send the baseline itself out
    # of bounds violates the kernel's precondition and says nothing about a candidate. Its checked build
    # runs first, in a forked child (a failed bounds check aborts), and the pair is skipped if it dies.
    checked = None
    if any(np.dtype(a.dtype).kind == "i" for a in sig.inputs):
        checked = build(job["baseline"], "baseline (checked)", lowering(runtime_checks=True))[0]
    unoptimised = None
    if POISON_OPS.search(normalised):
        try:
            unoptimised = build(job["baseline"], "baseline (O0)", opt_level=0)[0]
        except Exception:  # no O0 build: every pair is judged by the optimised build's answer, as before
            unoptimised = None
    depth = reduction_depth(normalised)
    ranges = _index_ranges(normalised, sig)
    if checked is not None:
        ranges = _probed_ranges(checked, sig, seed, depth, ranges)
    # the exact twin: f32 computed in f64, or f64 in f80 (`text64` names the twin's text either way)
    text64, wider, why = exact_twin(normalised, {a.dtype for a in sig.args})
    if job.get("plain"):  # the last try died compiling a twin (References._compute)
        text64, why = None, "building its exact twin crashed the compiler"
    in_f80 = np.float64 not in wider.values() and np.longdouble in wider.values()  # an f64 kernel's: no wider one
    in_f64 = np.float64 in wider.values()  # an f32 or f16 kernel's twin computes in f64 (an f64 kernel's in f80)
    halves = "float16" in wider or "bfloat16" in wider
    twin, kind = None, "f64 twin" if in_f64 else "f80 twin"
    if text64 is not None:
        try:
            twin = build(text64, f"<{kind}>")[0]
        except Exception as e:  # a twin that does not compile is no reason to stop: the baseline stands in
            why = f"the {kind} does not compile ({type(e).__name__})"
    if (root / "no-twin").exists():  # an earlier run of this job (before the baseline crashed) dropped it
        twin, why = None, (root / "no-twin").read_text()
    magnitude = None  # the twin on |arguments| with differences as sums: each element's terms' magnitudes
    # (of f64 twins only: its rewrite reads f64 constants and types)
    if twin is not None and in_f64 and (text_mag := magnitude_twin(text64)) is not None:
        try:
            magnitude = build(text_mag, "<magnitude twin>")[0]
        except Exception:  # no magnitudes: compare.py's normwise bound alone, as for other kernels
            magnitude = None
    reach = None  # the magnitude twin with scaling-down constants made 1: where a partial sum may overflow
    if magnitude is not None and (text_reach := reach_twin(text_mag)) is not None:
        try:
            reach = build(text_reach, "<reach twin>")[0]
        except Exception:  # the output's own magnitude stands in for it (equivalence.py)
            reach = None
    outs = [i for i, a in enumerate(sig.args) if a.role == "out"]
    # an f32 kernel's f80 twin (`_in_range`), built when its f64 twin first overflows; False: none (an f16 or bf16
    # kernel's: f16 and bf16 do not overflow f64)
    ranged = False if halves else None
    # rounding noise (noise.py): the twin with what a correct rewrite may round differently rounded at random, for
    # a cheap baseline; not for a kernel with a magnitude twin (sums, products and divisions by an input's
    # elements, whose rounding its terms' magnitudes bound element by element already), nor for one that may
    # round on purpose (a magic-constant rounding: random rounding would call the step noise)
    off = None
    if twin is not None and magnitude is not None:
        off = "its terms' magnitudes bound any order's rounding (a magnitude twin)"
    elif twin is not None and rounds_on_purpose(normalised):
        off = "it may round on purpose (a magic constant: twins.rounds_on_purpose)"
    elif twin is not None and halves:
        off = "an f16 or bf16 kernel (random rounding is written for f32 and f64)"
    noise = Noise(text64 if twin is not None else None, "f32" if in_f64 else "f64", off)
    # each output's tolerance by the depth of the sums its value flows from (flops.output_depths; the whole
    # kernel's where not known): x + r beside the row sums of its squares over 4096 was held to the sums' own
    depths = [min(depth, d) for d in _output_depths(normalised, outs, depth)]
    rtols = [tolerance(sig.args[o].dtype, d, cfg["tolerance_factor"]) for o, d in zip(outs, depths)]
    own = [own_tolerance(sig.args[o].dtype, d, cfg["tolerance_factor"]) for o, d in zip(outs, depths)]  # (_agrees)
    atol = max(underflow_floor(a.dtype, depth) for a in sig.outputs)
    pairs = inputs.plan(sig, cfg["random_sets"], twin is not None)
    skipped: dict[str, str] = dict(job.get("skipped", {}))
    done = list(job.get("done", []))
    # timed on the first pair the baseline completes (kept on disk: a crash on a later pair restarts us)
    timed = root / "timing.json"
    call_s, set_s = json.loads(timed.read_text()) if timed.exists() else (None, None)
    budget, start = job["budget_s"], time.perf_counter()
    quiet = None  # the first pair's call as a timing sample: [seconds, when it ended], where the machine was idle
    pool = ThreadPoolExecutor(2)
    # a pair's results are written (and its bounds worked out) beside the next pair's calls
    finisher, finishing = ThreadPoolExecutor(1), []
    spread = 0.0  # the largest NOISE_TIMES x noise over a baseline-relative tolerance, on the benchmark's data classes
    # the twin is kept if the baseline agrees with it on every pair of random data, within the rounding noise
    # where it runs (a rerun after a crash: the run before decided); where none runs, on the first pair, as it
    # did. (On any one of them, a fake quantisation's twin was kept on the pair whose scale made its step look
    # small, and a candidate leaving the rounding out passed.)
    agreed = bool(done)
    random_ids = [q.id for q in pairs if q.set in inputs.RANDOM and q.state == "random"]
    if noise.text is None:
        random_ids = random_ids[:1]
    ordered = root / "order.json"  # the decision, kept on disk: a crash on a later pair restarts us
    order = json.loads(ordered.read_text()) if ordered.exists() else None

    def texts() -> dict[str, str]:  # the kernels in use, as text: the order-keeping loop order is tried on each
        found = {"base": normalised, "twin": text64 if twin is not None else None,
                 "mag": text_mag if twin is not None and magnitude is not None else None,
                 "reach": text_reach if twin is not None and magnitude is not None and reach is not None else None}
        return {k: v for k, v in found.items() if v is not None}

    if order is not None and order["reordered"]:
        built = _faster(texts(), build)
        base, twin = built.get("base", base), built.get("twin", twin)
        magnitude, reach = built.get("mag", magnitude), built.get("reach", reach)
    for p in pairs:
        if p.id in skipped or p.id in done:
            continue
        if time.perf_counter() - start > budget:
            skipped[p.id] = f"the reference budget ({budget:.0f} s) was spent"
            continue
        deadline = cfg["compile_timeout_s"] if call_s is None else 60.0 + 20.0 * (3 * call_s + 3 * set_s)
        session.stage("reference", deadline, p.describe(seed), p.id)
        previous = None
        e = inputs.earlier(p) if p.state in inputs.EARLIER else None
        if e is not None:  # its outputs may still be on their way to the disk
            _finished(finishing, done, most=0)
        kept = [root / f"{e.id}.{k}.base.npy" for k in range(len(outs))] if e is not None else []
        if e is not None and e.id in done and all(f.exists() for f in kept):
            # the earlier call is a pair of the plan already run (the nudged pair's: the first random pair): its
            # outputs as saved, not a naive call more (3.8 s for a 1024 matmul)
            previous = [load(f) for f in kept]
        elif e is not None:  # the outputs as an earlier call left them: on these inputs, or on others
            zeros = [np.zeros(sig.args[o].shape, sig.args[o].dtype) for o in outs]
            first = inputs.make_args(e, sig, seed, depth, zeros, ranges)
            if checked is not None and not survives(checked, first):
                skipped[p.id] = OUT_OF_BOUNDS
                continue
            base(*first)
            previous = [first[o] for o in outs]
        t0 = time.perf_counter()
        args = inputs.make_args(p, sig, seed, depth, previous, ranges)
        t1 = time.perf_counter()
        for i, a in enumerate(args):  # the arguments as the candidate will get them (workers map them)
            np.save(root / f"{p.id}.a{i}.npy", a)
        with np.errstate(invalid="ignore"):  # (a signalling NaN's cast raises the invalid flag: the nan set has some)
            wide = [a.astype(wider[a.dtype.name]) if a.dtype.name in wider else a.copy() for a in args]
        # (np.array: the abs of a 0-d array is a scalar, which no kernel takes; every pair of a dot product
        # into a 0-d output died there, was skipped, and the rest judged the candidate)
        mags = [np.array(np.abs(w)) if is_float(w.dtype) else w.copy() for w in wide] if magnitude is not None else None
        reached = [a.copy() for a in mags] if mags is not None and reach is not None else None
        fresh = [w.copy() for w in wide] if twin is not None and (call_s is None or noise.on) else None
        before = ([a.copy() for a in args] if twin is not None and ((in_f64 and ranged is not False) or in_f80)
                  and (call_s is None or call_s < RANGE_UNDER_S) else None)
        if checked is not None and not survives(checked, args):
            skipped[p.id] = OUT_OF_BOUNDS
            continue
        # a slow baseline and its twins run side by side (the calls release the GIL; no candidate runs yet): the
        # exact twin from the start, the magnitude twin once the loop order is decided (the first pair's waits for it)
        # (not on the first pair: its call is timed alone, a baseline timing sample where the machine was otherwise
        # idle: `_quiet`)
        slow = call_s is not None and call_s > 0.05
        side = pool.submit(_run_twin, twin, wide) if twin is not None and slow else None
        side_mag = (pool.submit(_run_twin, magnitude, mags) if twin is not None and mags is not None and slow
                    and order is not None else None)
        initial = [a.copy() for a in args] if order is None else None
        again = [a.copy() for a in args] if unoptimised is not None else None
        if call_s is None and (count_flops(normalised) or 0) >= QUIET_WAIT_FLOPS:
            _await_quiet(QUIET_WAIT_S)  # a first call this long may be a timing sample (`_quiet`)
        busy0, cpu0, wall0 = _busy_s(), time.thread_time(), time.perf_counter()
        base(*args)
        base_cpu = time.thread_time() - cpu0  # (the naive call runs on this thread alone)
        if call_s is None:
            quiet = _quiet(time.perf_counter() - wall0, base_cpu, busy0, _busy_s())
        if again is not None:
            unoptimised(*again)
            if not all(_identical(again[o], args[o]) for o in outs):
                for f in (side, side_mag):
                    if f is not None:
                        f.result()
                skipped[p.id] = UNDEFINED
                continue
        if call_s is None:
            set_s, call_s = t1 - t0, time.perf_counter() - t1
            timed.write_text(json.dumps([call_s, set_s]))
        if order is None and call_s > REORDER_OVER_S:  # a slow baseline: the order-keeping loop order, tried now
            # on its first call's result, so that its twins run reordered from the first pair on (a naive 1024^3
            # matmul's f64 twin: ~8 s)
            # written first: should the reordered build crash this process, the rerun does not try again
            ordered.write_text(json.dumps({"reordered": False, "why": "the reordered kernel did not finish"}))
            order, faster = _try_faster(texts(), build, initial, {"base": [args[o] for o in outs]}, outs, call_s)
            base, twin = faster.get("base", base), faster.get("twin", twin)
            magnitude, reach = faster.get("mag", magnitude), faster.get("reach", reach)
            ordered.write_text(json.dumps(order))
        if twin is not None:
            # by the call's CPU time where it is less: the first pair's wall time also holds the O0 call and the twin
            # beside it, and on a loaded host a preemption (the timing-dependent step that can turn a tiny Durbin's
            # noise runs off: its twin was dropped in one CI run and a correct reordering judged against the baseline)
            noise.decide(lambda t, o: build(t, o)[0], min(call_s, base_cpu))
        files: list = []  # (path, array): the pair's results, written by the finisher (`_finish`)
        noisy = None  # each output's rounding noise (noise.py), where the noise runs are on
        if twin is not None:
            if side is not None:
                side.result()
            else:
                _run_twin(twin, wide)
            if before is not None and any(not np.isfinite(wide[o]).all() for o in outs if is_float(wide[o].dtype)):
                if ranged is None and not in_f80:
                    ranged = _range_build(normalised)
                if ranged or in_f80:
                    for k, unknown in enumerate(_in_range(None if in_f80 else ranged, before, wide, outs, args)):
                        if unknown is not None:
                            np.save(root / f"{p.id}.{k}.unknown.npy", unknown)
            noisy = (noise.run(fresh, [wide[o] for o in outs], outs, [args[o] for o in outs], rtols, atol)
                     if fresh is not None else None)
            if not agreed:  # the same function? On every random pair (_agrees), or it is dropped
                if not all(_agrees(args[o], wide[o], max(rtols[k], own[k]), None if noisy is None else noisy[k])
                           for k, o in enumerate(outs)):
                    twin, why = None, f"the {kind} disagrees with the baseline ({p.describe(seed)})"
                    (root / "no-twin").write_text(why)
                elif p.id not in random_ids or p.id == random_ids[-1]:
                    agreed = True
            files += [(root / f"{p.id}.{k}.exact.npy", wide[o]) for k, o in enumerate(outs)]
        if order is None:  # a baseline this fast runs as it is
            order = {"reordered": False, "why": f"a baseline call takes {call_s:.3f} s"}
            ordered.write_text(json.dumps(order))
        terms = None
        if side_mag is not None:
            side_mag.result()
        if twin is not None and mags is not None:  # on the arguments as they were before the calls
            if side_mag is None:
                _run_twin(magnitude, mags)
            terms = [np.abs(mags[o]) for o in outs]
            files += [(root / f"{p.id}.{k}.mag.npy", t) for k, t in enumerate(terms)]
            if reached is not None:
                _run_twin(reach, reached)
                files += [(root / f"{p.id}.{k}.reach.npy", np.abs(reached[o])) for k, o in enumerate(outs)]
        if twin is not None and noisy is not None:
            files += [(root / f"{p.id}.{k}.noise.npy", n) for k, n in enumerate(noisy)]
            if p.set in (*inputs.TIMING, *inputs.TYPICAL):  # ordinary data, as the spot checks draw (checks.py)
                spread = max(spread, max(noise_spread(args[o], n, rtols[k], atol) for k, (o, n) in enumerate(zip(outs, noisy))))
        # the baseline's side of every comparison of this pair, worked out once (compare.py)
        tols = [(root / f"{p.id}.{k}.bound.npy", args[o], rtols[k], wide[o], atol,
                 None if terms is None else terms[k], None if noisy is None else noisy[k])
                for k, o in enumerate(outs)] if twin is not None else []
        files += [(root / f"{p.id}.{k}.base.npy", args[o]) for k, o in enumerate(outs)]
        finishing.append((p.id, finisher.submit(_finish, files, tols, root / f"{p.id}.done")))
        _finished(finishing, done, most=FINISHING)
    _finished(finishing, done, most=0)
    pool.shutdown()
    finisher.shutdown()
    if twin is None and text64 is not None:  # dropped on the way: what was judged by it is judged without
        skipped.update({p.id: "no exact reference to judge an overflow by" for p in pairs
                        if p.set in inputs.NEED_EXACT and p.id in done})
        done = [d for d in done if d not in skipped]
    return {"pairs": [p.to_json() for p in pairs if p.id in done], "skipped": skipped, "done": done,
            "exact": twin is not None, "exact_kind": "float64" if in_f64 else "80-bit extended",
            "magnitude": twin is not None and magnitude is not None,
            "reach": twin is not None and magnitude is not None and reach is not None,
            # the magnitudes are sums of the terms' (no minimum or select rewritten as a maximum): they also tell
            # where a partial sum may overflow (equivalence.py)
            "magnitude_sums": magnitude is not None and overflow_reaches_output(text64 or ""),
            "launders": magnitude is None or launders(text64 or ""), "no_exact_why": why, "order": order,
            "noise": noise.on and twin is not None, "noise_why": noise.why, "noise_spread": spread,
            "call_s": call_s, "set_s": set_s, "quiet_sample": quiet,
            "bounds": [rtols, atol], "depth": depth, "depths": depths, "index_ranges": {str(k): v for k, v in ranges.items()}, "dir": str(root)}


QUIET_OVER_S = 0.5  # a first call this long may be a timing sample (bench.pooled: slow baselines' samples)
QUIET_OWN = 0.98  # ... where its thread ran for at least this share of it (not preempted)
# ... and everything else on the machine took at most this share of it, in CPU seconds (the sandboxed workers
# starting beside it took ~0.7 s of a 7-8 s call in a tune; a candidate evaluated meanwhile takes about all of it)
QUIET_OTHERS = 0.1


# A first call of at least this many flops (a naive loop nest at ~0.5 GFLOP/s: ~2 s) waits up to QUIET_WAIT_S for the
# machine to go quiet, in windows of QUIET_WINDOW_S (`_await_quiet`)
QUIET_WAIT_FLOPS = 1e9
QUIET_WAIT_S = 2.0
QUIET_WINDOW_S = 0.2


def _await_quiet(limit_s: float) -> None:
    """Before a first call that may become a timing sample (`_quiet`): wait, `limit_s` at most, until the rest of
    the machine was busy for at most QUIET_OTHERS of a QUIET_WINDOW_S window. The run's own process loads
    LangGraph and creates its study while the references start (agent/run.py): that took 0.6-0.7 s beside a naive
    1024^3 matmul's 6.7-s first call, about the limit, and every other run lost its sample and took a naive call
    more, ~7 s with the machine stopped."""
    end = time.perf_counter() + limit_s
    while time.perf_counter() < end:
        b0 = _busy_s()
        if b0 is None:
            return
        time.sleep(QUIET_WINDOW_S)
        b1 = _busy_s()
        if b1 is None or b1 - b0 <= QUIET_OTHERS * QUIET_WINDOW_S:
            return


def _busy_s() -> float | None:
    """Seconds the machine's cores have spent busy (all but idle and iowait, steal included) since boot, from
    /proc/stat; None where there is none."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _quiet(wall: float, cpu: float, busy0: float | None, busy1: float | None) -> list[float] | None:
    """[wall, when it ended] where a call of `wall` seconds took `cpu` seconds of its own thread (QUIET_OWN of it)
    and the machine did little else meanwhile (the cores' busy seconds over the call, but the call's own, within
    QUIET_OTHERS of it): a sample as the workers take theirs with the machine stopped for them (pool.py seeds
    their samples with it, and a slow baseline's first evaluation takes one naive call fewer). None otherwise."""
    if wall < QUIET_OVER_S or busy0 is None or busy1 is None or cpu < QUIET_OWN * wall:
        return None
    others = (busy1 - busy0) - cpu
    return [wall, time.perf_counter()] if others <= QUIET_OTHERS * wall else None


FINISHING = 2  # pairs whose results may be on their way to the disk while the next pair runs


def _finish(files: list, tols: list, marker: pathlib.Path) -> None:
    """Write a pair's results: each bound of `tols` (compare.bounds), each (path, array) of `files`, then the
    empty file `marker` that says the pair is done (a process killed meanwhile, as the baseline crashing on the
    next pair kills it, may leave a file half written: References._compute counts the pairs with a marker)."""
    for path, baseline, rtol, exact, atol, terms, noisy in tols:
        tol = bounds(baseline, rtol, exact, atol, terms, noisy)
        if tol is not None:
            np.save(path, tol)
    for path, a in files:
        np.save(path, a)
    marker.write_bytes(b"")


def _finished(finishing: list, done: list, most: int) -> None:
    """Wait until at most `most` pairs are being finished (`_finish`), oldest first, adding each to `done`."""
    while len(finishing) > most:
        pid, future = finishing.pop(0)
        future.result()
        done.append(pid)


def _output_depths(text: str, outs: list[int], depth: int) -> list[int]:
    """The reduction depth of each output (by position in `outs`): flops.output_depths, else `depth` for all."""
    from neurojit.compiler.flops import output_depths

    try:
        per = output_depths(text)
    except Exception:  # noqa: BLE001  (an analysis the kernel defeats: the whole kernel's depth, as before)
        per = None
    return [depth if per is None else per.get(o, depth) for o in outs]


def _faster(texts: dict[str, str], build) -> dict:
    """The kernels of `texts` (name -> text: the baseline, and its exact, magnitude and reach twins where it has
    them) built in the order-keeping loop order (reorder.py), by name; those without one are left out. Nothing
    at all where the baseline or its exact twin has none: they run side by side, the slower sets the pace."""
    fast = {k: reorder.reordered(t) for k, t in texts.items()}
    if fast["base"] is None or ("twin" in texts and fast["twin"] is None):
        return {}
    built = {k: build(fast[k], f"<{k}, reordered>", wide=True)[0] for k in ("base", "twin") if k in fast}
    for k in ("mag", "reach"):  # a magnitude twin that does not build reordered runs naive: slower, the same bound
        if fast.get(k) is not None:
            try:
                built[k] = build(fast[k], f"<{k}, reordered>", wide=True)[0]
            except Exception:
                pass
    return built


def _try_faster(texts: dict[str, str], build, initial, expected: dict, outs, call_s) -> tuple[dict, dict]:
    """(decision, the reordered builds by name: none when not used): the reordered builds, if the baseline's
    gives the outputs its naive build gave on the first pair's arguments `initial` (`expected["base"]`) bit for
    bit and runs `REORDER_MIN_GAIN` times faster. The twins' are used with it: their loops are the baseline's
    with other element types, reordered by the same plan (reorder.plan reads the iterators and maps alone); an
    exact twin that computed something else would disagree with the baseline on the random pairs and be dropped
    (`_agrees`). (Checking the exact twin's bits too took its naive call, ~8 s for a 1024^3 matmul in f64.)"""
    try:
        built = _faster(texts, build)
    except Exception as e:  # a reordered kernel does not build: the kernels as they are
        return {"reordered": False, "why": f"the reordered kernel does not build ({type(e).__name__})"}, {}
    if not built:
        return {"reordered": False, "why": "no op of the kernel has an order-keeping faster loop order"}, {}
    fast_s = None
    for name, kernel in built.items():
        if name not in expected:  # a twin: the baseline's loops, reordered alike (see above)
            continue
        args = [a.copy() for a in initial]
        t0 = time.perf_counter()
        _run_twin(kernel, args)
        fast_s = time.perf_counter() - t0 if name == "base" else fast_s
        if not all(_identical(args[o], b) for o, b in zip(outs, expected[name])):
            return {"reordered": False, "why": f"the reordered kernel's outputs differ from the {name}'s"}, {}
    if fast_s * REORDER_MIN_GAIN > call_s:
        why = f"the reordered kernel is not faster ({fast_s:.3f} s vs {call_s:.3f} s)"
        return {"reordered": False, "why": why}, {}
    why = f"bit-identical on the first pair, {call_s:.3f} s -> {fast_s:.3f} s a call"
    return {"reordered": True, "why": why, "kernels": list(built)}, built


def _identical(a: np.ndarray, b: np.ndarray) -> bool:
    """Bit for bit (signed zeros included), a NaN for a NaN: LLVM leaves which NaN an op returns unspecified
    (either operand's payload, or a new one, as it commutes operands), and no comparison reads it (a reordered
    build gave the default NaN where the naive one passed on an input's payload)."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if is_float(a.dtype):
        nan = np.isnan(a)
        if not np.array_equal(nan, np.isnan(b)):
            return False
        a, b = a[~nan], b[~nan]
    if a.dtype == np.longdouble and a.dtype.itemsize > _F80_BYTES:  # x86's 80-bit value in 16 bytes: the padding
        # is whatever was there (numpy's astype and LLVM's stores leave it), so an f64 kernel's twin never matched
        return np.array_equal(a.view(np.uint8).reshape(-1, a.dtype.itemsize)[:, :_F80_BYTES],
                              b.view(np.uint8).reshape(-1, b.dtype.itemsize)[:, :_F80_BYTES])
    return a.tobytes() == b.tobytes()


_F80_BYTES = 10 if np.finfo(np.longdouble).nmant == 63 else np.dtype(np.longdouble).itemsize


# the sets an index input is probed with: small signed integers, and integers over the whole range
_PROBES = (Pair("uniform", "random", 7), Pair("wrap", "random", 7))


def _probed_ranges(checked, sig, seed: int, depth: int, ranges: dict[int, int]) -> dict[int, int]:
    """`ranges` (the integer inputs indices.py proved to be indices) with the other integer inputs added where
    the baseline fails its bounds checks on them as drawn: an index through arithmetic (`table[idx + 1]`), a
    clamp, a torch-mlir bounds assertion before the read. They take the largest modulus the baseline stays in
    bounds with on the probe sets, among the kernel's extents and one or two less, signed ([-m, m):
    `inputs.in_range`) where it stays in bounds with that too; none if none does. Without
    it every set whose integers leave the table was skipped, with its floats (a gather judged on 5 of 32
    pairs, a candidate reading table[min(idx, 15) + 1] accepted)."""
    free = [i for i, a in enumerate(sig.args)
            if a.role == "in" and np.dtype(a.dtype).kind == "i" and i not in ranges]

    def stays(r: dict[int, int]) -> bool:
        return all(survives(checked, inputs.make_args(p, sig, seed, depth, None, r)) for p in _PROBES)

    if not free or stays(ranges):
        return ranges
    extents = sorted({d for a in sig.args for d in a.shape if d > 1}, reverse=True)
    for m in [m - k for m in extents for k in (0, 1, 2) if m - k > 1]:
        # negative values too where the baseline stays in bounds with them (it wraps them: a gather taking
        # Python's negative indices, whose wrap replaced by a clamp passed while every index was >= 0)
        for r in (-m, m):
            tried = {**ranges, **{i: r for i in free}}
            if stays(tried):
                return tried
    return ranges


def load(path, mmap_mode=None) -> np.ndarray:
    """An array saved here: bfloat16's are read back as numpy's void of 2 bytes (its type is ml_dtypes', which
    the .npy header does not name), viewed as bfloat16 again (nothing else saved here is a void type)."""
    a = np.load(path, mmap_mode=mmap_mode)
    return a.view(BFLOAT16) if a.dtype.kind == "V" and a.dtype.itemsize == 2 else a


def _range_build(text: str):
    """The f80 twin of an f32 kernel (twins.range_twin), or False where there is none or it does not compile."""
    text80 = range_twin(text)
    if text80 is None:
        return False
    try:
        return build(text80, "<f80 range twin>")[0]
    except Exception:  # noqa: BLE001  (no f80 lowering of some op: the f64 twin's non-finite values stand)
        return False


def _in_range(ranged, args: list[np.ndarray], wide: list[np.ndarray], outs: list[int],
              base: list[np.ndarray]) -> list[np.ndarray | None]:
    """Where the f64 twin's output is not finite but the f80 twin's is, the f80 value (rounded to f64) is the exact
    result: the f64 twin overflowed in an intermediate the kernel's value does not need (exp(x) in log(1 + exp(x))
    for x > 709.8). Its Infs and NaNs are what any correct order gives only where the f80 twin's are too.
    `ranged` None: the twin is the f80 one already (an f64 kernel's), with no wider one; its range ends at
    LARGE_F80 instead (a stable log-sum-exp of f64 rows past 11356, whose naive form and twin both give Inf).

    Per output, where no reference knows the value (None where there is no such element): from finite arguments
    (`args`, as before the call), the baseline (`base`: the arguments after it) and both twins gave NaN or Inf,
    and some argument is large enough that an intermediate may have overflowed (LARGE), so the value may be past
    the range or finite (softplus(1e5) is 1e5, where exp overflows even f80): the element tells a correct
    evaluation from a wrong one no more (compare.py rule 6). On any pair with a NaN or an Inf among the arguments,
    or with none of that size (sqrt(-1), log(0), 0 / 0 are NaN or Inf at any scale), there is none: those stay
    required. (Not by the overflow flag: MLIR's lowering of exp builds its Inf from bits, raising none.)"""
    long = None
    if ranged is not None:
        with np.errstate(invalid="ignore"):  # (signalling NaNs: reference.py's first cast)
            long = [a.astype(np.longdouble) if is_float(a.dtype) else a.copy() for a in args]
        _run_twin(ranged, long)
    floats = [a for a in args if is_float(a.dtype) and a.size]
    finite_in = bool(floats) and all(np.isfinite(a).all() for a in floats)
    # and large enough for an intermediate to pass the twin's range at all (exp(x) does past x = 709.8 in f64): a
    # NaN or an Inf from ordinary values is a domain error's (sqrt(-1), log(0), 0 / 0), at any scale
    large = finite_in and max(float(np.abs(a).max()) for a in floats) >= (LARGE if long is not None else LARGE_F80)
    unknown: list[np.ndarray | None] = []
    for o in outs:
        if not is_float(wide[o].dtype):
            unknown.append(None)
            continue
        lost = ~np.isfinite(wide[o]) & ~np.isfinite(base[o]) if large else None
        if long is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                r = long[o].astype(np.float64)
            fix = ~np.isfinite(wide[o]) & np.isfinite(long[o])
            wide[o][fix] = r[fix]
            lost = lost & ~np.isfinite(long[o]) if lost is not None else None
        unknown.append(lost if lost is not None and lost.any() else None)
    return unknown


def _run_twin(twin, wide) -> None:
    with np.errstate(all="ignore"):
        twin(*wide)


def _agrees(baseline: np.ndarray, exact: np.ndarray, rtol: float, noise: np.ndarray | None = None) -> bool:
    """The baseline is within the tolerance of its twin wherever both are finite, and both are finite somewhere
    if the twin is (float outputs). Where the twin is finite and the baseline is not, the baseline overflowed: a
    recurrence that grows (a triangular solve on random data) passes its type's largest value after some rows,
    and the Infs and NaNs that follow are its order of evaluation's, not the kernel's answer; its twin, with
    the wider range, is what tells another order's finite value there from a wrong one (compare.py rule 2).
    Required against its finite elements only, the twin is still checked on what it is for: the same function.
    Where the kernel's algorithm amplifies rounding (`noise`: noise.py), within NOISE_TIMES of the output's
    largest noise is close too, up to sqrt(eps) of the output's scale: agreeing in half its significand bits
    (Levinson-Durbin's baseline erred 2-5x its tolerance on every random pair of some seeds, 280x at N = 2000,
    and its twin was dropped); no further: a twin that differs by more computes another function, whatever the
    noise ((x + 2^24) - 2^24 rounds x to an integer in f32, half of values in (-1, 1))."""
    if not is_float(baseline.dtype):
        return True
    b = baseline.astype(np.float64)
    fin = np.isfinite(exact)
    both = fin & np.isfinite(b)
    if fin.any() and not both.any():  # nothing to check the twin against
        return False
    scale = float(np.abs(exact[both]).max()) if both.any() else 0.0
    atol = underflow_floor(str(baseline.dtype), 1)
    with np.errstate(invalid="ignore"):
        tol = rtol * np.abs(exact) + rtol * scale + atol
        err = np.abs(b - exact)
        close = err <= tol
        if noise is not None and noise.size:  # (the output's largest: eight runs' per element are a small sample)
            half = math.sqrt(float(np.finfo(baseline.dtype).eps)) * scale
            close |= err <= min(NOISE_TIMES * float(np.nanmax(noise, initial=0.0)), half)
    return bool(np.all(~both | close))


# ---- in a worker ------------------------------------------------------------------------------------------

MAPPED_BYTES = 1 << 30  # reference files a worker keeps mapped at most (RefSet._load), in bytes
MAPPED_FILES = 512  # ... and in files (each mapping holds a file descriptor)


class RefSet:
    """A worker's read-only view of the reference files of one (kernel, seed, plan)."""

    def __init__(self, info: dict):
        self.info = info
        self.dir = pathlib.Path(info["dir"])
        self.pairs = [Pair(*p) for p in info["pairs"]]
        self.exact = info["exact"]
        self.magnitude = info.get("magnitude", False)
        self.reach = info.get("reach", False)
        self.skipped: dict[str, str] = info.get("skipped", {})
        # integer inputs that are indices: position -> the extent they index (inputs.make_args)
        self.ranges: dict[int, int] = {int(k): v for k, v in info.get("index_ranges", {}).items()}
        self._mapped: dict[str, np.ndarray | None] = {}  # least recently used first
        self._mapped_bytes = 0

    def _load(self, name: str, optional: bool = False) -> np.ndarray | None:
        """The file mapped, once per worker while it is among the MAPPED_BYTES most recently used (the worker keeps
        this RefSet); None for a missing `optional` one. Mappings count against the worker's address-space limit:
        every pair's files kept mapped took a kernel with a 16 MB output past 8 GiB (each pair maps its baseline
        output, exact result, magnitudes, bounds and arguments; ~60 pairs), and every candidate was refused as a
        crash (a sweep's one-hot encoding). Older ones are dropped (unmapped once no caller holds them)."""
        if name in self._mapped:
            self._mapped[name] = self._mapped.pop(name)  # (most recently used last)
            return self._mapped[name]
        path = self.dir / f"{name}.npy"
        array = None if optional and not path.exists() else load(path, mmap_mode="r")
        self._mapped[name] = array
        self._mapped_bytes += 0 if array is None else array.nbytes
        while (self._mapped_bytes > MAPPED_BYTES or len(self._mapped) > MAPPED_FILES) and len(self._mapped) > 1:
            old = self._mapped.pop(next(iter(self._mapped)))
            self._mapped_bytes -= 0 if old is None else old.nbytes
        return array

    def outputs(self, pair: Pair, n: int, rtols: dict | None = None, atol: float | None = None) -> list[tuple]:
        """(baseline's output, exact result or None, its terms' magnitudes or None, the magnitudes its value
        passed through or None: `reach_twin`, only where a constant scales down, rule 1's bound of every element
        or None: `compare.bounds`, only where worked out with these `rtols` (by output position) and `atol`, its
        rounding noise or None:
        noise.py, where no reference knows the value or None: `_in_range`) for each of the `n` outputs."""
        bounded = (self.exact and rtols is not None
                   and self.info.get("bounds") == [[rtols[o] for o in sorted(rtols)], atol])
        noise = self.exact and self.info.get("noise", False)
        return [(self._load(f"{pair.id}.{k}.base"), self._load(f"{pair.id}.{k}.exact") if self.exact else None,
                 self._load(f"{pair.id}.{k}.mag") if self.magnitude else None,
                 self._load(f"{pair.id}.{k}.reach") if self.reach else None,
                 self._load(f"{pair.id}.{k}.bound", optional=True) if bounded else None,
                 self._load(f"{pair.id}.{k}.noise", optional=True) if noise else None,
                 self._load(f"{pair.id}.{k}.unknown", optional=True) if self.exact else None) for k in range(n)]

    def args(self, pair: Pair, n: int) -> list[np.ndarray]:
        """The pair's `n` arguments (outputs in their initial state), read-only: copy before a call."""
        return [self._load(f"{pair.id}.a{i}") for i in range(n)]


# ---- in the host ------------------------------------------------------------------------------------------

def _remove_stale() -> None:
    """Reference folders of processes that died without closing their pool (kill -9)."""
    for d in pathlib.Path(tempfile.gettempdir()).glob("neurojit-ref-*-*"):
        try:
            os.kill(int(d.name.split("-")[2]), 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except (ValueError, PermissionError):
            continue


class References:
    """The pool's side: one trusted reference process, and the reference files it wrote, per pool.

    A pool (local, or on a Dask worker's machine) computes references for the jobs it runs, so a job stays
    self-contained (baseline text and settings) and the files never leave the machine that reads them."""

    def __init__(self, config, make_worker):
        """make_worker(config) -> a sandboxed worker (the pool's `Worker`, passed in: the pool owns this)."""
        self.config = config
        self.make_worker = make_worker
        self.worker = None
        self.root = None
        self.cache: dict[tuple, dict] = {}
        self.lock = threading.Lock()
        self.closed = False

    def for_job(self, job: dict) -> dict:
        """The reference info for a candidate job's baseline and settings, computing it the first time."""
        cfg = job.get("config", {})
        text = job["baseline"]
        key = (hashlib.sha256(text.encode()).hexdigest(), cfg.get("seed", 0), cfg.get("random_sets", 3),
               cfg.get("tolerance_factor", 32.0))
        with self.lock:  # one computation per key; the pool's other threads wait for it
            if key not in self.cache:
                try:
                    self.cache[key] = self._compute(job, text, cfg)
                except RuntimeError as e:  # the baseline's own failure: every candidate of it is told the same
                    self.cache[key] = e
            if isinstance(self.cache[key], RuntimeError):
                raise self.cache[key]
            return self.cache[key]

    def _compute(self, job: dict, text: str, cfg: dict) -> dict:
        from dataclasses import asdict

        from .config import EvalConfig

        config = EvalConfig(**{**asdict(self.config), **cfg})
        if self.closed:
            raise RuntimeError("the evaluator was closed")
        if self.worker is None:
            self.worker = self.make_worker(EvalConfig(**{**asdict(config), "pin_cores": False}))
        if self.root is None:
            _remove_stale()
            self.root = pathlib.Path(tempfile.mkdtemp(prefix=f"neurojit-ref-{os.getpid()}-"))
            weakref.finalize(self, shutil.rmtree, self.root, True)  # also at exit, if never closed
        where = pathlib.Path(tempfile.mkdtemp(dir=self.root))  # one per computation, failed ones included
        ref_job = {"task": "reference", "baseline": text, "baseline_origin": job.get("baseline_origin", "baseline"),
                   "config": asdict(config), "dir": str(where), "skipped": {}, "done": [],
                   "budget_s": config.reference_budget_s}
        started = time.perf_counter()
        while True:
            reply = self.worker.exchange(ref_job)
            if self.closed:
                raise RuntimeError("the evaluator was closed")
            if reply.result is not None:
                if not reply.result["pairs"]:
                    raise RuntimeError(f"the baseline fails on every input set: {reply.result['skipped']}")
                return reply.result
            if reply.stage == "reference_compile" and not ref_job.get("plain"):
                # a twin may abort the compiler (MLIR and LLVM are built with assertions): once more without
                # twins, the baseline alone (which the host's preflight compiled)
                ref_job["plain"] = True
                continue
            if reply.stage != "reference":  # the baseline failed to compile or to run once: not a candidate's fault
                raise RuntimeError(f"the reference process failed during '{reply.stage}': {reply.detail}")
            if reply.said == "died (exit code 1)":  # a Python exception of ours, not the baseline crashing (a
                # signal): skipping the pair would judge candidates on fewer sets and say the baseline failed
                raise RuntimeError(f"the reference process failed ({reply.context}): {reply.detail}")
            # the baseline itself crashed or hung on this pair: skip the pair, keep what was done
            # (those it finished: a pair it skipped itself, the baseline failing a bounds check, saved nothing)
            ref_job["done"] = ref_job["done"] + [q for q in reply.pairs[:-1] if (where / f"{q}.done").exists()]
            ref_job["skipped"] = {**ref_job["skipped"], reply.pairs[-1]: f"the baseline itself {reply.said} there"}
            ref_job["budget_s"] = max(0.0, config.reference_budget_s - (time.perf_counter() - started))

    def close(self) -> None:
        self.closed = True  # a computation under way (Evaluator.prepare's thread) stops, and starts no worker
        if self.worker is not None:
            self.worker.kill()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
