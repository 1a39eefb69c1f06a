"""The evaluation stages, run inside a worker: parse -> signature -> static -> compile -> equivalence with
dynamic checks per pair (equivalence.py: bounds of memref, vector and view ops in the checked build, guard
pages around every build, allocator, poisoned memory, the comparison rules, an O0 build that must agree, on
every input set where the candidate makes value promises to the optimiser) ->
benchmark (rotated buffers, outputs reset, spot checks). Returns a Verdict as JSON."""

from __future__ import annotations

import dataclasses
import errno
import functools
import math
import os

import numpy as np

from neurojit.compiler.dtypes import is_float
from mlir import ir

from neurojit.compiler.build import Parsed, lower_parsed
from neurojit.compiler.errors import CompileError, KernelError, NeuroJITError, ScheduleError
from neurojit.compiler.jit import CompiledKernel
from neurojit.compiler.kernel import ir_hash, parse_module, signature_of
from neurojit.compiler.pipeline import LOWER, UNMASK, lowering
from neurojit.compiler.classify import CandidateKind, classify
from neurojit.compiler.frontend import Form, convert_text, form_of, takes_scalars
from neurojit.compiler.schedule import apply_schedule, substitute

from . import bench, inputs, reference, reorder, static
from .allocator import CountingAllocator
from .config import EvalConfig
from .compare import NOISE_TIMES
from .equivalence import Equivalence
from .inputs import Pair
from .poison import poison_allocas
from .oblivious import why_not
from .promises import value_promises
from .races import check_races
from .task_order import reverse_parallel_loops
from .unoptimised import hoist_allocas
from .vector_bounds import guard_vector_accesses
from .view_bounds import guard_views
from .record import Check, Outcome, Reason, Rejected, Verdict
from .reference import RefSet

CHECKED = lowering(runtime_checks=True, generic_alloc=True)


class _Baseline:
    """The baseline as a worker holds it: compiled for the benchmark, its lowered symbols for the static
    check. Its reference outputs come from the trusted reference process (reference.py), never from here."""

    def __init__(self, text: str, origin: str, refs: dict):
        self.text = text
        ctx = ir.Context()
        with ctx, ir.Location.unknown():
            module = parse_module(text, origin, ctx)
            self.signature = signature_of(module, origin, text)
            self.normalised = str(module)
            self.promised = set(value_promises(module))  # (op, flag) pairs the trusted kernel uses
        lowered = lower_parsed(Parsed(module, self.signature, self.normalised, origin))
        self.symbols = static.lowered_symbols(lowered.module)
        self.kernel = CompiledKernel(lowered, stack_shift=True)  # timed beside the candidate, called as it is
        self.depth = refs["depth"]
        self.call_s = refs["call_s"]  # one call, and making one argument set, as the reference process saw them
        self.set_s = refs["set_s"]
        self.bench_samples = bench.BaselinePool()  # per-call samples, kept across evaluations when pooled
        self.origin = origin
        order = refs.get("order") or {}
        self._reordered = bool(order.get("reordered") and "base" in order.get("kernels", ()))

    @functools.cached_property
    def same(self) -> CompiledKernel | None:
        """The baseline in the order-keeping loop order, where the reference process found it bit for bit and
        faster on its first pair (built on first use: only a pooled benchmark's spot checks want it), or None."""
        fast = reorder.reordered(self.normalised) if self._reordered else None
        if fast is None:
            return None
        origin = f"{self.origin} (reordered)"
        try:
            with ir.Context() as ctx, ir.Location.unknown():
                module = parse_module(fast, origin, ctx)
                sig = signature_of(module, self.origin, fast)
                return CompiledKernel(lower_parsed(Parsed(module, sig, str(module), origin)))
        except (NeuroJITError, ir.MLIRError):  # the spot checks then take a timed baseline call
            return None


def evaluate_candidate(session, job: dict) -> dict:
    config = EvalConfig(**job.get("config", {}))
    checks: list[Check] = []
    state = {"checks": checks}
    try:
        try:
            verdict = _stages(session, job, config, state)
        except ir.MLIRError as e:
            raise Rejected(Reason.COMPILE_ERROR, f"MLIR error: {e}") from None
        except Rejected:
            raise
        except (MemoryError, OSError) as e:  # the worker's own memory ran out (its address-space limit)
            if not isinstance(e, MemoryError) and getattr(e, "errno", None) != errno.ENOMEM:
                raise Rejected(Reason.CRASH, f"evaluator internal error: {type(e).__name__}: {e}") from None
            raise Rejected(Reason.MEMORY_LIMIT, (
                f"the evaluator's worker ran out of memory ({type(e).__name__}: {e}) under its address-space limit "
                f"of {config.memory_limit_bytes / 2**30:.0f} GiB (EvalConfig.memory_limit_bytes): the candidate's "
                "allocations, or the evaluator's own arrays for a kernel this large; raise the limit if the kernel "
                "needs it")) from None
        except Exception as e:  # our bug; still one candidate's verdict, never the run
            raise Rejected(Reason.CRASH, f"evaluator internal error: {type(e).__name__}: {e}") from None
    except Rejected as r:
        checks.append(Check(_CHECK_OF.get(r.reason, r.reason.value), False, r.detail))
        verdict = Verdict(Outcome.REJECT, r.reason, r.detail, checks=tuple(checks), candidate_hash=state.get("hash"),
                          max_abs_err=state.get("max_abs"), max_rel_err=state.get("max_rel"),
                          baseline_ms=state.get("baseline_ms"))
    out = verdict.to_json()
    if "baseline_samples" in state:  # not part of the verdict: the host shares them with its other workers
        out["baseline_samples"] = state["baseline_samples"]
    return out


_CHECK_OF = {
    Reason.INVALID_IR: "parse", Reason.SCHEDULE_ERROR: "schedule", Reason.SIGNATURE_MISMATCH: "signature",
    Reason.FOREIGN_CALL: "foreign_calls", Reason.WRITES_INPUT: "writes", Reason.COMPILE_ERROR: "compile",
    Reason.UNDEFINED_BEHAVIOUR: "differential_o0",
}


def _run_budget(config: EvalConfig, base: _Baseline, calls: int, sets: int = 0) -> float:
    """Deadline of a run stage: `factor` times what the baseline would need for its calls and input sets."""
    need = base.call_s * calls + base.set_s * sets
    return min(config.run_timeout_cap_s, max(config.run_timeout_floor_s, config.run_timeout_factor * need))


def _stages(session, job: dict, config: EvalConfig, state: dict) -> Verdict:
    checks: list[Check] = state["checks"]
    key = ir_hash(job["baseline"])
    session.stage("baseline", config.compile_timeout_s)
    if key not in session.baselines:
        session.baselines[key] = _Baseline(job["baseline"], job.get("baseline_origin", "baseline"), job["reference"])
    base = session.baselines[key]
    state["baseline_ms"] = base.call_s * 1e3
    origin = job.get("candidate_origin", "candidate")
    text = job["candidate"]

    session.stage("parse", config.compile_timeout_s)
    # the kind was decided once, from the text, by the Candidate constructor (jobs from other callers: now)
    schedule = CandidateKind(job.get("kind") or classify(text)) is CandidateKind.SCHEDULE
    if schedule:  # knobs are placeholders in the text: fill them in before the parse
        try:
            text = substitute(text, job.get("knobs"))
        except ScheduleError as e:
            raise Rejected(Reason.SCHEDULE_ERROR, f"{origin}: {e}") from None
    elif form_of(text) is Form.TENSOR or takes_scalars(text):  # a function on tensors, or on memrefs and scalars,
        # as its baseline may be: in the convention (sandboxed)
        try:
            text = convert_text(text, origin)[0]
        except KernelError as e:
            raise Rejected(Reason.SIGNATURE_MISMATCH, f"the candidate could not be brought into the kernel "
                                                      f"convention: {e}") from None
    ctx = ir.Context()
    with ctx, ir.Location.unknown():
        try:
            module = parse_module(text, origin, ctx)
        except KernelError as e:
            raise Rejected(Reason.INVALID_IR, str(e)) from None
        checks.append(Check("parse", True))
        if schedule:
            session.stage("schedule", config.compile_timeout_s)
            payload = parse_module(base.normalised, "<baseline>", ctx)
            try:
                apply_schedule(payload, text, None, origin)
            except (ScheduleError, NeuroJITError) as e:
                raise Rejected(Reason.SCHEDULE_ERROR, str(e)) from None
            module = payload
            checks.append(Check("schedule", True))
        session.stage("static", config.compile_timeout_s)
        static.check_foreign_calls(module, baseline_symbols=base.symbols)
        checks.append(Check("foreign_calls", True))
        try:
            sig = signature_of(module, origin, text)
        except KernelError as e:
            raise Rejected(Reason.SIGNATURE_MISMATCH, str(e)) from None
        if sig.key() != base.signature.key():
            raise Rejected(Reason.SIGNATURE_MISMATCH,
                           f"candidate is {sig.describe()} but the baseline is {base.signature.describe()}")
        checks.append(Check("signature", True))
        normalised = str(module)
        state["hash"] = ir_hash(normalised, job.get("knobs"))
        static.check_writes(module, sig)
        check_races(module)  # tasks of a parallel loop writing the same place
        checks.append(Check("writes", True))
        static.check_alignment(module)
        static.check_memory(module, sig, config.alloc_limit_bytes, config.stack_limit_bytes)
        checks.append(Check("memory_static", True))
        # value promises the baseline does not make itself (its own are its author's, and in its references)
        promises = [p for p in value_promises(module) if p not in base.promised]
        # a kernel whose accesses, branches and sizes follow from its indices alone: its checked build behaves the
        # same on every input, and runs on a few pairs (equivalence.py)
        dependence = "asked for by EvalConfig.checked_every_pair" if config.checked_every_pair else None
        if dependence is None:
            try:
                dependence = why_not(module)
            except Exception as e:  # (our gap, never the candidate's verdict: every pair then runs checked)
                dependence = f"the analysis failed ({type(e).__name__}: {e})"

    # compile: the normal build (benchmarked), the checked build (runtime verification + counting allocator)
    # and the differential build (the normal lowering, JIT-compiled at O0: LLVM runs no inliner or optimiser)
    session.stage("compile", config.compile_timeout_s)
    builds = {}
    allocator = CountingAllocator(config.alloc_limit_bytes)
    variants = [("normal", LOWER, 3), ("checked", CHECKED, 3)] + ([("o0", LOWER, 0)] if config.differential else [])
    reversed_loops = 0  # parallel loops the O0 build runs last iteration first (task_order.py)
    for name, pipe, level in variants:
        if name == "o0":
            session.stage("compile_o0", config.compile_timeout_s)
        c2 = ir.Context()
        with c2, ir.Location.unknown():
            m2 = parse_module(normalised, origin, c2)
            try:
                if name == "checked":
                    UNMASK.run(m2)  # masked ops the assertions can sit before (the lowering would do it next)
                    poison_allocas(m2)
                    guard_vector_accesses(m2)
                    guard_views(m2)
                if name == "o0":
                    reversed_loops = reverse_parallel_loops(m2)
                lowered = lower_parsed(Parsed(m2, sig, normalised, origin), pipeline=pipe)
                if name == "o0":
                    hoist_allocas(lowered.module)
            except CompileError as e:
                raise Rejected(Reason.COMPILE_ERROR, str(e)) from None
            if name == "normal":
                static.check_lowered(lowered.module, base.symbols)
                # the thread count is in the candidate's own IR: it may not claim more than the run allows
                # (a parallel timing stops every other worker, and the exported kernel would use them all)
                limit = config.threads or os.cpu_count() or 1
                if lowered.threads > limit:
                    raise Rejected(Reason.THREAD_LIMIT, f"the candidate runs {lowered.threads} parallel tasks "
                                                        f"(neurojit.threads) but this run allows {limit} "
                                                        "(--threads)")
            try:
                builds[name] = CompiledKernel(lowered, opt_level=level, stack_shift=True,
                                              runtime=allocator.symbols() if name == "checked" else None)
            except CompileError as e:
                raise Rejected(Reason.COMPILE_ERROR, str(e)) from None
    checks.append(Check("compile", True))
    checks.append(Check("lowered_symbols", True))

    info = job["reference"]
    refs = session.references.pop(info["dir"], None) or RefSet(info)
    session.references[info["dir"]] = refs  # (most recently used last)
    while len(session.references) > KEPT_REFERENCES:  # the kernels evaluated longest ago: their files unmapped
        session.references.pop(next(iter(session.references)))
    eq = Equivalence(session, config, base, sig, builds, allocator, refs,
                     lambda calls, sets: _run_budget(config, base, calls, sets), promises, reversed_loops,
                     dependence=dependence)
    try:
        detail = eq.run()
    finally:
        state["max_abs"], state["max_rel"] = eq.errs
    checks.append(Check("equivalence", True, detail))
    checks.append(Check("initialised_reads", True, "checked build with poisoned allocas and heap blocks agrees"))
    if config.guard_pages:
        checks.append(Check("guard_pages", True, "normal build with every argument ending at a guard page, checked "
                                                 "build also starting right after one, did not fault"))
    if config.differential:
        checks.append(Check("differential_o0", True, "the unoptimised (O0) build agrees with the O3 build" + (
            f" (its {reversed_loops} parallel loop(s) run last iteration first)" if reversed_loops else "")))
    checks.append(Check("inputs_unchanged", True))
    errs = eq.errs
    if not config.bench:
        return Verdict(Outcome.ACCEPT, Reason.OK, f"equivalent to the baseline: {eq.tol_text}",
                       max_abs_err=errs[0], max_rel_err=errs[1], checks=tuple(checks), candidate_hash=state["hash"])
    m, timing = _benchmark(session, config, base, sig, builds["normal"], eq, state)
    checks.append(Check("benchmark", True, f"{m.mode}: {m.rounds} rounds x {m.inner} call(s), each call on "
                                           f"outputs of its own, reset after every sample; speedup 95% CI "
                                           f"[{m.speedup_ci[0]:.3f}, {m.speedup_ci[1]:.3f}]; {timing['inputs']}"))
    return Verdict(Outcome.ACCEPT, Reason.OK, f"equivalent to the baseline: {eq.tol_text}; speedup "
                   f"{m.speedup:.3f}x", baseline_ms=m.baseline_ms, candidate_ms=m.candidate_ms,
                   speedup=m.speedup, speedup_ci=m.speedup_ci, max_abs_err=errs[0],
                   max_rel_err=errs[1], checks=tuple(checks), candidate_hash=state["hash"], timing=timing)


TIMING_SETS = ("uniform", "normal", "positive", "scales", "sparse", "repeated", "sorted", "zeros")
TIMING_CLASSES = inputs.TIMING  # the benchmark's inputs, in turn (ordinary data)


def _bench_inputs(config: EvalConfig, base: _Baseline, sig, eq: Equivalence, distinct: int):
    """The timed calls' arguments: `distinct` fresh uniform sets; but where the baseline read out of bounds
    on some input set (an index it takes as it comes, as torch's embedding gather does), the arguments of
    the pairs it passed, typical data first: on fresh sets both sides would read past their buffers, and
    their differing garbage was taken for a result that depends on earlier calls (`caches_result`)."""
    rank = lambda p: TIMING_SETS.index(p.set) if p.set in TIMING_SETS else len(TIMING_SETS)  # noqa: E731
    passed = sorted((p for p in eq.refs.pairs if p.id not in eq.refs.skipped), key=rank)[:distinct]
    # drawn from a seed nobody knows before this evaluation: the sets `--seed` gives are public, and a
    # candidate holding their results in a table would be timed on a lookup (346x on a 256 matmul)
    seed = bench.fresh_seed()
    if reference.OUT_OF_BOUNDS not in eq.refs.skipped.values() or not passed:
        # ordinary data of several classes in turn: a candidate fast only on data like one class (no zeros,
        # all within (-1, 1)) and 55x slower on normal data was timed at parity on uniform data alone
        kinds = TIMING_CLASSES[:max(1, min(distinct, len(TIMING_CLASSES)))]
        made = [inputs.make_args(Pair(kinds[i % len(kinds)], "random", 100 + i), sig, seed, base.depth,
                                 ranges=eq.refs.ranges) for i in range(distinct)]
        return made, f"fresh {', '.join(repr(k) for k in kinds)} inputs (seed {seed}, drawn for this evaluation)"
    made = []
    for p in passed:  # the integers the baseline stayed in bounds with; floats of the same class, drawn afresh
        public = [np.array(a) for a in eq.refs.args(p, len(sig.args))]
        fresh = inputs.make_args(Pair(p.set, "random", p.rep), sig, seed, base.depth, ranges=eq.refs.ranges)
        made.append([f if is_float(f.dtype) else a for a, f in zip(public, fresh)])
    return made, (f"the integer arguments of {', '.join(p.describe(config.seed) for p in passed)}, floats drawn "
                  f"afresh (seed {seed}, drawn for this evaluation)")


KEPT_REFERENCES = 2  # reference sets (one per kernel) a worker keeps mapped: each mapping holds a file descriptor,
# and a worker that judged a hundred kernels' candidates (the corpus) ran out of them
SLOW_CLASS_TIMES = 3.0  # a candidate this many times slower on an ordinary data class's pairs than on the timed ones
SLOW_CLASS_LEAST_S = 20e-6  # ... and by at least this much (single calls of a tiny kernel vary by cache state)
CLASS_GAP = 1.5  # its speedup on that class is reported where it is below the benchmark's by this factor
# input sets of values no hardware is slower on: every set but those of special or extreme values (denormals slow
# the baseline's hardware too, and timing both sides again on them would cost a slow baseline's calls for nothing).
# `logscale` spans every decade of normal floats below 1, so its products are subnormal as `underflow`'s are: on an
# Intel core each vector op with a subnormal lane takes a microcode assist, and a 16-lane build meets one far more
# often per element than the scalar naive lowering. Its speedup there (7x for a 70x batch-reduce matmul, 0.2x for a
# 13x GELU, which the tune then dropped) was the hardware's denormal penalty, not a slow path of the candidate's
EXTREME_SETS = frozenset(("tiny", "subnormal", "underflow", "infinite", "nan", "big", "limit", "outliers", "magnitude",
                          "wrap", "logscale"))


def _ordinary(name: str) -> bool:
    """An input set (or a cross of two: 'lowprec+normal') of ordinary, finite data."""
    return name != inputs.NUDGED and not any(part in EXTREME_SETS for part in name.split(inputs.CROSS))


def _slowest_class(eq: Equivalence) -> tuple[tuple[str, str, int], float] | None:
    """The ordinary data class (an input set of inputs.py and an output state) whose equivalence pairs the candidate
    ran slowest on, relative to the classes the benchmark times (its input sets, outputs as the `random` state
    leaves them), and how many times slower, where that is SLOW_CLASS_TIMES or more; else None. Times are the least
    CPU time of the candidate's calls on each class's pairs (the pool's gate stops a worker while another times, and
    its calls then took wall time, not CPU time). The benchmark times a few classes in turn: a candidate 40x slower
    on post-ReLU data (no negatives, many zeros: every hidden layer's input) was timed at parity on the others, one
    16x slower on bf16-exact weights and one 16x slower when its output starts as zeros (np.zeros, then +=) too.
    States that hold what an earlier call of the baseline left (`previous`, `stale`) are not drawn afresh here."""
    if reference.OUT_OF_BOUNDS in eq.refs.skipped.values():  # fresh integers may be out of the kernel's bounds
        return None
    seen = {k: t for k, t in eq.class_cpu_s.items() if _ordinary(k[0]) and k[1] not in inputs.EARLIER}
    timed = [t for (s, state, _), t in seen.items() if s in TIMING_CLASSES and state == "random"] or [
        t for (s, _, _), t in seen.items() if s in TIMING_CLASSES]
    if not timed:
        return None
    ref = max(timed)
    key, worst = max(seen.items(), key=lambda kv: kv[1])
    if worst < SLOW_CLASS_TIMES * ref or worst - ref < SLOW_CLASS_LEAST_S:
        return None
    return key, worst / ref


def _where_finite(got: np.ndarray, baseline: np.ndarray, depth: int) -> np.ndarray:
    """A spot check's view of a timed output. These fresh arguments have no exact result to say where another
    order of evaluation may overflow, so where the baseline's own order overflowed (NaN/Inf) any value of the
    candidate stands (the baseline's value takes its place), and where the baseline's value is near the
    range (past the largest over depth + 1) so does a NaN/Inf; everywhere else the candidate is compared as it
    is. A correct candidate that overflowed elsewhere or not at all (a recurrence computed in f64) was
    `caches_result`."""
    if not is_float(baseline.dtype):
        return got
    with np.errstate(invalid="ignore", over="ignore"):
        edge = ~(np.abs(baseline) < float(np.finfo(baseline.dtype).max) / (depth + 1))  # (NaN: True)
        if not edge.any():
            return got
        return np.where(edge & ~(np.isfinite(baseline) & np.isfinite(got)), baseline, got).astype(got.dtype)


def _benchmark(session, config: EvalConfig, base: _Baseline, sig, cand, eq: Equivalence, state: dict):
    """Time baseline and candidate on rotated argument sets with outputs reset (bench.py); the timing record.
    A pooled baseline's timing starts from the samples this machine's other workers took (the lease brings
    them, and says whether it may add one to a stale estimate: bench.pooled's `refresh`), and leaves the latest
    in `state["baseline_samples"]` for them."""
    nbytes = lambda a: int(np.prod(a.shape)) * np.dtype(a.dtype).itemsize  # noqa: E731
    out_b = max(1, sum(nbytes(a) for a in sig.outputs))
    in_b = max(1, sum(nbytes(a) for a in sig.inputs))
    want = math.ceil(1e-3 / max(min(base.call_s, eq.cand_s), 1e-7))  # calls in a ~1 ms sample
    budget = config.bench_buffer_bytes
    slots = int(max(2, min(1000, want, (budget - in_b) // out_b)))  # each call has outputs of its own
    distinct = int(max(1, min(slots, (budget - slots * out_b) // in_b)))  # inputs rotate over this many
    if in_b * len(TIMING_CLASSES) <= 4 * budget:  # at least one set of each timing class (_bench_inputs)
        distinct = max(distinct, min(slots, len(TIMING_CLASSES)))
    session.stage("benchmark", config.bench_time_cap_s * 2 + distinct * (base.set_s + 1e-4)
                  + _run_budget(config, base, 4 * config.bench_warmup + 10, 2))
    outs = tuple(eq.outs)
    made, where = _bench_inputs(config, base, sig, eq, distinct)
    distinct = len(made)

    def side():  # slot j: input set j % distinct, shared; outputs of its own, from that set's initial state; the
        # arguments placed in their pages as bench.placement says (one offset, or staggered: 4K aliasing)
        own = [[bench.placed(a, bench.placement(d, i)) for i, a in enumerate(m)] for d, m in enumerate(made)]
        return bench.Buffers([[own[j % distinct][i] if i not in outs else
                               bench.placed(made[j % distinct][i], bench.placement(j, i))
                               for i in range(len(sig.args))] for j in range(slots)], outs, distinct)

    b_bufs, c_bufs = side(), side()
    # no timed call before the host's lease: a parallel kernel is timed alone, on as many cores as it runs
    # tasks (the host stops the other workers), and no worker is stopped while it times (pool.Gate); the
    # arguments are made before it (fresh 1024^2 sets and their copies: the others need not wait for that)
    session.lease(cand.threads)

    # where the kernel's algorithm carries rounding past rule 1's tolerance (noise.py): by NOISE_TIMES as much as
    # it did on the equivalence pairs of ordinary data (fresh data of a recursion that amplifies rounding may
    # amplify it further; a correct Levinson-Durbin reordering was `caches_result` here, 1 evaluation in 12
    # with the spread alone)
    spread = eq.refs.info.get("noise_spread", 0.0)
    widen = max(1.0, NOISE_TIMES * spread) if spread > 1.0 else 1.0
    if widen > 1.0:  # at most to half the significand's bits (sqrt(eps)), as the twin's agreement (reference.py)
        eps = max(float(np.finfo(a.dtype).eps) for a in sig.outputs if is_float(a.dtype))
        widen = min(widen, max(1.0, math.sqrt(eps) / eq.rtol))

    def check(b_args, c_args):
        for o in outs:
            c = eq.compare(_where_finite(c_args[o], b_args[o], base.depth), (b_args[o], None, None, None, None, None, None),
                           widen=widen, o=o)
            if c.problem:
                return f"output %{sig.args[o].name}: {c.where}"
        return None

    common = dict(check=check, warmup=config.bench_warmup, min_rounds=config.bench_min_rounds,
                  max_rounds=config.bench_max_rounds, time_cap_s=config.bench_time_cap_s, seed=config.seed)
    try:
        if base.call_s > config.bench_pooled_over_s:
            base.bench_samples.merge(session.granted_samples)  # what this machine's other workers took
            try:
                m = bench.pooled(base.bench_samples, base.kernel, cand, b_bufs, c_bufs, same=base.same,
                                 ci_rel=config.bench_ci_rel, refresh=session.granted_refresh,
                                 refresh_share=config.bench_refresh_share, **common)
            finally:
                state["baseline_samples"] = base.bench_samples.pairs(bench.POOL_KEEP)
        else:
            m = bench.interleaved(base.kernel, cand, b_bufs, c_bufs, ci_rel=config.bench_ci_rel, **common)
        slow = _slowest_class(eq)
        if slow is not None:  # time both there too: a class the benchmark's rotation does not draw
            (name, begins, crossed), ratio = slow  # (a cross keeps the input it crosses; other sets draw afresh)
            fresh = inputs.make_args(Pair(name, begins, crossed if inputs.CROSS in name else 100), sig,
                                     bench.fresh_seed(), base.depth,
                                     ranges=eq.refs.ranges)
            there = bench.interleaved(base.kernel, cand, bench.Buffers([[a.copy() for a in fresh]], outs),
                                      bench.Buffers([[a.copy() for a in fresh]], outs),
                                      **{**common, "warmup": 1, "min_rounds": 3})
            if there.speedup < m.speedup / CLASS_GAP:
                outputs = "" if begins == "random" else f" with outputs starting {begins!r}"
                where = (f"fresh {name!r} inputs{outputs}: the candidate's calls on the {name!r}/{begins!r} pairs of "
                         f"the equivalence check were {ratio:.0f}x slower than on the benchmark's data ({where}), "
                         f"where it was {m.speedup:.2f}x; its speedup on {name!r} data{outputs} is the one reported")
                m = dataclasses.replace(there, mode=f"{there.mode} on {name!r} data, after a benchmark on its "
                                                    f"own data ({m.mode}) at {m.speedup:.2f}x")
    except bench.TimedCallWrong as e:
        raise Rejected(Reason.WRONG_RESULT, f"a timed call of the candidate gave a different result from the "
                                            f"baseline's on the same arguments (benchmark, {where}; {e}): wrong "
                                            "on these inputs, not an earlier call's result") from None
    except bench.TimedCallDiffers as e:
        raise Rejected(Reason.CACHES_RESULT, f"a timed call of the candidate gave a different result from the "
                                             f"baseline's on the same arguments (benchmark, {where}; {e}): the "
                                             "result depends on earlier calls") from None
    ws = m.working_set_bytes
    timing = {"mode": m.mode, "cache": "warm" if ws <= 4 << 20 else f"partly cold ({ws / 2**20:.0f} MiB a sample)",
              "buffers": f"{min(m.inner, slots)} output set(s) a sample, inputs from {min(m.inner, distinct)} set(s)",
              "inputs": f"timed on {where}",
              "outputs": "reset to their initial contents before every timed call",
              "spot_checks": m.spot_checks, "calls_per_sample": m.inner,
              "rounds": m.rounds, "working_set_bytes": ws}
    return m, timing
