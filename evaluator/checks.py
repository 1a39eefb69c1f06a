"""The evaluation stages, run inside a worker: parse -> signature -> static -> compile -> dynamic
checks (bounds, allocator) -> equivalence -> benchmark. Returns a Verdict as JSON."""

from __future__ import annotations

import time

import numpy as np
from mlir import ir

from neurojit.compiler.build import Parsed, lower_parsed
from neurojit.compiler.errors import CompileError, KernelError, NeuroJITError, ScheduleError
from neurojit.compiler.flops import reduction_depth
from neurojit.compiler.jit import CompiledKernel
from neurojit.compiler.kernel import ir_hash, parse_module, signature_of
from neurojit.compiler.pipeline import LOWER, lowering
from neurojit.compiler.classify import CandidateKind, classify
from neurojit.compiler.schedule import apply_schedule, substitute

from . import bench, inputs, static
from .allocator import CountingAllocator
from .poison import poison_allocas
from .config import EvalConfig
from .record import Check, Outcome, Reason, Rejected, Verdict

CHECKED = lowering(runtime_checks=True, generic_alloc=True)


class _Baseline:
    def __init__(self, text: str, origin: str):
        self.text = text
        ctx = ir.Context()
        with ctx, ir.Location.unknown():
            module = parse_module(text, origin, ctx)
            self.signature = signature_of(module, origin, text)
            self.normalised = str(module)
        lowered = lower_parsed(Parsed(module, self.signature, self.normalised, origin))
        self.symbols = static.lowered_symbols(lowered.module)
        self.kernel = CompiledKernel(lowered)
        self.depth = reduction_depth(self.normalised)
        self.outputs: dict[tuple, list[np.ndarray]] = {}
        self.bench_samples: list[float] = []  # per-call seconds, kept across evaluations when pooled
        t0 = time.perf_counter()
        args = inputs.make_set("uniform", self.signature, 0)
        self.set_s = time.perf_counter() - t0  # making one input set (large arrays take tens of ms)
        t0 = time.perf_counter()
        self.kernel(*args)
        self.call_s = time.perf_counter() - t0

    def reference(self, kind: str, seed: int) -> list[np.ndarray]:
        key = (kind, seed)
        if key not in self.outputs:
            args = inputs.make_set(kind, self.signature, seed)
            self.kernel(*args)
            self.outputs[key] = [args[i] for i, a in enumerate(self.signature.args) if a.role == "out"]
        return self.outputs[key]


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
        except Exception as e:  # our bug; still one candidate's verdict, never the run
            raise Rejected(Reason.CRASH, f"evaluator internal error: {type(e).__name__}: {e}") from None
    except Rejected as r:
        checks.append(Check(_CHECK_OF.get(r.reason, r.reason.value), False, r.detail))
        verdict = Verdict(Outcome.REJECT, r.reason, r.detail, checks=tuple(checks), candidate_hash=state.get("hash"),
                          max_abs_err=state.get("max_abs"), max_rel_err=state.get("max_rel"),
                          baseline_ms=state.get("baseline_ms"))
    return verdict.to_json()


_CHECK_OF = {
    Reason.INVALID_IR: "parse", Reason.SCHEDULE_ERROR: "schedule", Reason.SIGNATURE_MISMATCH: "signature",
    Reason.FOREIGN_CALL: "foreign_calls", Reason.WRITES_INPUT: "writes", Reason.COMPILE_ERROR: "compile",
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
        session.baselines[key] = _Baseline(job["baseline"], job.get("baseline_origin", "baseline"))
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
        static.check_foreign_calls(module)
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
        checks.append(Check("writes", True))
        static.check_memory(module, sig, config.alloc_limit_bytes)
        checks.append(Check("memory_static", True))

    # compile: the normal build (benchmarked) and the checked build (runtime verification + counting allocator)
    session.stage("compile", config.compile_timeout_s)
    builds = {}
    allocator = CountingAllocator(config.alloc_limit_bytes)
    for name, pipe in (("normal", LOWER), ("checked", CHECKED)):
        c2 = ir.Context()
        with c2, ir.Location.unknown():
            m2 = parse_module(normalised, origin, c2)
            if name == "checked":
                poison_allocas(m2)
            try:
                lowered = lower_parsed(Parsed(m2, sig, normalised, origin), pipeline=pipe)
            except CompileError as e:
                raise Rejected(Reason.COMPILE_ERROR, str(e)) from None
            if name == "normal":
                static.check_lowered(lowered.module, base.symbols)
            try:
                builds[name] = CompiledKernel(lowered, runtime=allocator.symbols() if name == "checked" else None)
            except CompileError as e:
                raise Rejected(Reason.COMPILE_ERROR, str(e)) from None
    checks.append(Check("compile", True))
    checks.append(Check("lowered_symbols", True))

    kinds = inputs.set_kinds(config.random_sets)
    rtol = max(inputs.tolerance(a.dtype, base.depth, config.tolerance_factor) for a in sig.outputs)
    tol_text = (f"tolerance {rtol:.2e} relative (= {config.tolerance_factor:g} x eps x sqrt({base.depth} + 1), "
                f"reduction depth {base.depth})" if rtol else "exact (integer outputs)")

    # dynamic memory safety on the checked build: every set, allocator balanced after each call
    session.stage("checked_run", _run_budget(config, base, 20 * len(kinds), 2 * len(kinds)))
    outs = [i for i, a in enumerate(sig.args) if a.role == "out"]
    checked_results = []
    for i, kind in enumerate(kinds):
        args = inputs.make_set(kind, sig, config.seed + i)
        builds["checked"](*args)
        checked_results.append([args[j] for j in outs])
        leaked, bad = allocator.end_call()
        if bad:
            raise Rejected(Reason.UNSAFE_MEMORY, f"freed memory that was not allocated or already freed "
                                                 f"({bad} bad free(s), inputs '{kind}'): double free")
        if leaked:
            raise Rejected(Reason.UNSAFE_MEMORY, f"{leaked} allocation(s) still live after the call: leak")
    checks.append(Check("runtime_bounds_and_allocator", True, f"{len(kinds)} input sets, checked build"))

    # The baseline's reference outputs are trusted work: their own stage, so that a slow baseline (a naive
    # 1024^3 matmul takes ~11 s a call) does not eat the candidate's deadline. Cached for the worker's life.
    session.stage("reference", 60.0 + 3 * len(kinds) * (base.call_s + base.set_s))
    for i, kind in enumerate(kinds):
        base.reference(kind, config.seed + i)
    session.stage("equivalence", _run_budget(config, base, 4 * len(kinds), 4 * len(kinds)))
    cand = builds["normal"]
    results, errs = [], (0.0, 0.0)
    ins = [i for i, a in enumerate(sig.args) if a.role == "in"]
    first_problem = None
    for i, kind in enumerate(kinds):
        args = inputs.make_set(kind, sig, config.seed + i)
        before = [args[j].tobytes() for j in ins]
        cand(*args)
        for j, b in zip(ins, before):
            if args[j].tobytes() != b:
                raise Rejected(Reason.WRITES_INPUT, f"input %{sig.args[j].name} changed during the call (inputs '{kind}')")
        got = [args[j] for j in outs]
        results.append(got)
        want = base.reference(kind, config.seed + i)
        for o, g, w in zip(outs, got, want):
            problem, ea, er, where = inputs.compare(g, w, rtol)
            if np.isfinite(ea):
                errs = (max(errs[0], ea), max(errs[1], er))
            state["max_abs"], state["max_rel"] = errs
            if problem and first_problem is None:
                first_problem = (i, kind, problem, sig.args[o].name, where)
    # state across calls: repeat the first set twice more (same inputs, fresh copies)
    again = []
    for _ in range(2):
        args = inputs.make_set(kinds[0], sig, config.seed)
        cand(*args)
        again.append([args[j] for j in outs])
    same = lambda a, b: all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))  # noqa: E731
    if not same(again[0], again[1]):
        raise Rejected(Reason.NONDETERMINISTIC, "two calls with identical inputs gave different outputs")
    if not same(results[0], again[0]):
        raise Rejected(Reason.CACHES_RESULT, "the same inputs gave a different result after other calls: "
                                             "the output depends on earlier calls (state kept between calls)")
    if first_problem is not None:
        i, kind, problem, name, where = first_problem
        if problem == "nonfinite":
            raise Rejected(Reason.NONFINITE, f"output %{name} has NaN/Inf where the baseline has none "
                                             f"(inputs '{kind}': {where})")
        if i > 0 and first_problem and any(same(results[i], results[k]) for k in range(i)):
            raise Rejected(Reason.CACHES_RESULT, f"output %{name} for inputs '{kind}' repeats an earlier call's "
                                                 "result: cached")
        raise Rejected(Reason.WRONG_RESULT, f"output %{name} differs from the baseline beyond the {tol_text} "
                                            f"(inputs '{kind}': {where}; max abs err {state['max_abs']:.3g})")
    checks.append(Check("equivalence", True, f"{len(kinds)} input sets + repeat; {tol_text}"))
    # The checked build ran with fresh memory poisoned (see poison.py): if only it disagrees, the candidate
    # reads memory it never wrote and is right by the luck of what that memory held.
    for i, kind in enumerate(kinds):
        want = base.reference(kind, config.seed + i)
        for o, g, w in zip(outs, checked_results[i], want):
            problem, _, _, where = inputs.compare(g, w, rtol)
            if problem:
                raise Rejected(Reason.UNSAFE_MEMORY, f"output %{sig.args[o].name} changes when fresh memory is "
                                                     f"poisoned (inputs '{kind}': {where}): reads uninitialised memory")
    checks.append(Check("initialised_reads", True, "checked build with poisoned allocas and heap blocks agrees"))
    checks.append(Check("inputs_unchanged", True))

    if not config.bench:
        return Verdict(Outcome.ACCEPT, Reason.OK, f"equivalent to the baseline within the {tol_text}", max_abs_err=errs[0],
                       max_rel_err=errs[1], checks=tuple(checks), candidate_hash=state["hash"])
    session.stage("benchmark", config.bench_time_cap_s * 2 + _run_budget(config, base, 4 * config.bench_warmup + 10, 2))
    b_args = inputs.make_set("uniform", sig, config.seed + 100)
    c_args = [a.copy() for a in b_args]
    if base.call_s > config.bench_pooled_over_s:
        m = bench.pooled(base.bench_samples, base.kernel, cand, b_args, c_args, warmup=config.bench_warmup,
                         min_rounds=config.bench_min_rounds, max_rounds=config.bench_max_rounds,
                         time_cap_s=config.bench_time_cap_s, seed=config.seed)
    else:
        m = bench.interleaved(base.kernel, cand, b_args, c_args, warmup=config.bench_warmup,
                              min_rounds=config.bench_min_rounds, max_rounds=config.bench_max_rounds,
                              time_cap_s=config.bench_time_cap_s, ci_rel=config.bench_ci_rel, seed=config.seed)
    checks.append(Check("benchmark", True, f"{m.mode}: {m.rounds} rounds x {m.inner} calls; "
                                           f"speedup 95% CI [{m.speedup_ci[0]:.3f}, {m.speedup_ci[1]:.3f}]"))
    return Verdict(Outcome.ACCEPT, Reason.OK, f"equivalent to the baseline within the {tol_text}; speedup "
                   f"{m.speedup:.3f}x", baseline_ms=m.baseline_ms, candidate_ms=m.candidate_ms,
                   speedup=m.speedup, speedup_ci=m.speedup_ci, max_abs_err=errs[0],
                   max_rel_err=errs[1], checks=tuple(checks), candidate_hash=state["hash"])
