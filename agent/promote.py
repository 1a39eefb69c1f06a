"""The promotion gate (DESIGN §5): a candidate reaches the live JIT only if it earns it, and leaves on failure.

`Promoter.consider(candidate)` lets a stored candidate replace the live variant only when
  (a) its stored verdict is `accept`,
  (c) a shadow run agrees: the arguments the program last passed to the live kernel, run through the live
      variant and through the candidate (compiled in this process), give outputs equal within the
      evaluator's tolerance, and
  (b) it beats the live variant with confidence: in an interleaved re-measurement on copies of those
      arguments, the lower bound of the 95% CI of the speedup exceeds `min_speedup`,
checked cheapest first. Then it is swapped in atomically and PROMOTE is recorded; otherwise REFUSED with
the reason. The program calls the kernel through a `GuardedLive`, which keeps a copy of recent arguments
(every Nth call, or the next call on request) and rolls a promoted variant back, recording ROLLBACK, when
it raises during a call or a later shadow check (`Promoter.recheck`) disagrees with the variant it replaced.
Calls run on the program's thread; promotion runs on another: the guard's lock orders swaps and rollbacks,
and a call reads the live variant once, so it never sees half a swap. That other thread is a `Watcher`:
while a run searches, it hands each new best candidate to the gate and rechecks what was promoted, for
any program that keeps a live kernel (the demo, the SDK, self-healing).
"""

from __future__ import annotations

import enum
import logging
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from neurojit.compiler.errors import CallError, NeuroJITError
from neurojit.compiler.flops import reduction_depth
from neurojit.compiler.jit import CompiledKernel, compile_kernel
from neurojit.compiler.live import LiveKernel
from neurojit.evaluator import bench, inputs

from .store import PromotionEvent, ResultStore

log = logging.getLogger(__name__)

KEEP = 8  # promotions remembered for rollback (LiveKernel keeps as many variants loaded by default)


@dataclass(frozen=True)
class GateConfig:
    """How demanding the gate is, and how long it may measure."""
    min_speedup: float = 1.0  # the CI's lower bound must exceed this
    bench_time_cap_s: float = 2.0
    bench_ci_rel: float = 0.03
    bench_min_rounds: int = 5
    tolerance_factor: float = 32.0  # as the evaluator's: factor x eps(dtype) x sqrt(reduction depth + 1)
    capture_wait_s: float = 2.0  # how long to wait for the program's next call to capture its arguments


@dataclass(frozen=True)
class Decision:
    """What the gate (or the guard) did with one candidate, and why."""
    event: PromotionEvent
    identity: str
    detail: str
    variant: str | None = None  # variant hash of the compiled candidate
    speedup: float | None = None
    speedup_ci: tuple[float, float] | None = None
    at: float = 0.0  # time.time()


@dataclass
class _Promoted:
    impl: CompiledKernel
    previous: CompiledKernel
    identity: str


class GuardedLive:
    """Calls a LiveKernel, keeps copies of recent arguments, and rolls back a promoted variant that fails.

    every: copy the arguments of every Nth call (0: only when `request_capture` asks). A copy is taken
    before the call, because outputs' initial contents are inputs too (DESIGN §2).
    """

    def __init__(self, live: LiveKernel, every: int = 64):
        self.live = live
        self.every = every
        self.calls = 0
        self.on_rollback: Callable[[Decision], None] | None = None
        self._lock = threading.RLock()  # orders promotions and rollbacks, never taken on a normal call
        self._want = threading.Event()
        self._fresh = threading.Event()
        self._last: tuple[np.ndarray, ...] | None = None
        self._promoted: list[_Promoted] = []
        self.rolled_back: set[str] = set()  # identities that failed after promotion
        self._retired: weakref.WeakSet[CompiledKernel] = weakref.WeakSet()  # their compiled variants

    # the hot path
    def __call__(self, *arrays: np.ndarray) -> None:
        self.calls += 1
        if self._want.is_set() or (self.every and self.calls % self.every == 0):
            self._capture(arrays)
        impl = self.live.current  # read once: this call runs on this variant whatever happens meanwhile
        try:
            impl.call_tuple(arrays)
        except CallError:
            raise  # the arguments' fault, not the variant's: every variant has the same signature
        except Exception as exc:
            if not self._failed(impl, f"raised {type(exc).__name__} during a call: {exc}"):
                raise
            # Compiled code cannot raise: an exception comes from Python before the native call, so the outputs
            # are untouched and the call can get its answer from the restored variant.
            self.live.current.call_tuple(arrays)

    def _capture(self, arrays) -> None:
        self._last = tuple(np.array(a, copy=True) for a in arrays)
        self._want.clear()
        self._fresh.set()

    # capture, from the promoter's thread
    def request_capture(self) -> None:
        """Copy the arguments of the next call."""
        self._fresh.clear()
        self._want.set()

    def recent_inputs(self, wait_s: float = 0.0) -> list[np.ndarray] | None:
        """Copies of the most recent captured arguments (waiting up to wait_s for a fresh capture), or None."""
        if wait_s > 0:
            self.request_capture()
            self._fresh.wait(wait_s)
        last = self._last
        return None if last is None else [a.copy() for a in last]

    def observe(self, arrays) -> None:
        """Offer arguments to shadow runs without calling the kernel."""
        self._capture(tuple(arrays))

    # promotion and rollback
    def promote(self, impl: CompiledKernel, identity: str, note: str = "") -> None:
        with self._lock:
            previous = self.live.current
            self.live.swap(impl, note=note or f"promote {identity[:12]}")
            self._promoted.append(_Promoted(impl, previous, identity))
            del self._promoted[:-KEEP]

    def promoted(self) -> _Promoted | None:
        """The live variant's promotion entry, if the promoter put it there."""
        with self._lock:
            impl = self.live.current
            return next((p for p in reversed(self._promoted) if p.impl is impl), None)

    def roll_back(self, impl: CompiledKernel, detail: str) -> Decision | None:
        """Roll back `impl` if it is still live and was promoted; the ROLLBACK decision, or None."""
        with self._lock:
            entry = next((p for p in reversed(self._promoted) if p.impl is impl), None)
            if entry is None or self.live.current is not impl:
                return None
            self.live.rollback(note=f"rollback of {entry.identity[:12]}: {detail}")
            self._promoted.remove(entry)
            self._retired.add(impl)
            self.rolled_back.add(entry.identity)
            decision = Decision(PromotionEvent.ROLLBACK, entry.identity, detail, impl.variant_hash, at=time.time())
        if self.on_rollback is not None:
            self.on_rollback(decision)
        return decision

    def _failed(self, impl: CompiledKernel, detail: str) -> bool:
        """True when the failing variant was promoted and is now rolled back (here, or by another thread a
        moment ago), so that the call may be retried on the variant live now."""
        return self.roll_back(impl, detail) is not None or impl in self._retired


class Promoter:
    """The gate between a run's stored candidates and a live kernel (see the module's docstring)."""

    def __init__(self, live: LiveKernel | GuardedLive, store: ResultStore, run_id: str,
                 config: GateConfig = GateConfig(), kernel_text: str | None = None):
        """kernel_text: the run's kernel; read from the store when first needed if not given."""
        self.guard = live if isinstance(live, GuardedLive) else GuardedLive(live)
        self.store = store
        self.run_id = run_id
        self.config = config
        self.decisions: list[Decision] = []
        self._kernel_text = kernel_text
        self._rtol: float | None = None
        self._busy = threading.Lock()  # one consider/recheck at a time
        self.guard.on_rollback = self._record

    @property
    def live(self) -> LiveKernel:
        return self.guard.live

    def consider(self, candidate) -> PromotionEvent:
        """Promote the candidate (a CandidateRecord) if it passes the gate; the event recorded either way."""
        with self._busy:
            decision, impl = self._gate(candidate)
            if decision.event == PromotionEvent.PROMOTE:
                name = candidate.schedule or candidate.kind.value
                self.guard.promote(impl, candidate.identity, note=f"promote {name}#{candidate.identity[:8]}")
            self._record(decision)
            return decision.event

    def recheck(self, wait_s: float | None = None) -> PromotionEvent | None:
        """Shadow-check the live variant against the one it replaced on fresh arguments; ROLLBACK if they
        disagree, None if they agree or nothing promoted is live."""
        with self._busy:
            entry = self.guard.promoted()
            if entry is None:
                return None
            args = self.guard.recent_inputs(self.config.capture_wait_s if wait_s is None else wait_s)
            if args is None:
                return None
            problem = self._shadow(entry.previous, entry.impl, args)
            if problem is None:
                return None
            decision = self.guard.roll_back(entry.impl, f"a later shadow check disagreed: {problem}")
            return decision and decision.event

    @property
    def last(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    def _record(self, decision: Decision) -> None:
        self.decisions.append(decision)
        self.store.add_promotion(self.run_id, decision.identity, decision.event, decision.detail)

    def _gate(self, cand) -> tuple[Decision, CompiledKernel | None]:
        def refuse(why: str, **extra) -> tuple[Decision, None]:
            return Decision(PromotionEvent.REFUSED, cand.identity, why, at=time.time(), **extra), None

        verdict = cand.verdict
        if verdict is None or not verdict.accepted:
            said = f"{verdict.verdict.value} ({verdict.reason.value})" if verdict else "missing (not evaluated)"
            return refuse(f"the evaluator's verdict is {said}; only accepted candidates go live")
        if cand.identity in self.guard.rolled_back:
            return refuse("it was rolled back after an earlier promotion")
        try:
            impl = self._compile(cand)
        except NeuroJITError as exc:
            return refuse(f"it does not compile in this process: {exc}")
        live = self.live.current
        if impl is live or impl.variant_hash == live.variant_hash:
            return refuse("it is already the live variant", variant=impl.variant_hash)
        if impl.signature.key() != live.signature.key():
            return refuse(f"its signature {impl.signature.describe()} differs from the live "
                          f"{live.signature.describe()}", variant=impl.variant_hash)
        args = self.guard.recent_inputs(self.config.capture_wait_s)
        if args is None:
            return refuse("no live arguments were observed yet, so there is nothing to shadow-run it on",
                          variant=impl.variant_hash)
        problem = self._shadow(live, impl, args)
        if problem is not None:
            return refuse(f"the shadow run on the live arguments disagrees: {problem}", variant=impl.variant_hash)
        m = bench.interleaved(live, impl, bench.Buffers.copies(live.signature, args), bench.Buffers.copies(live.signature, args),
                              min_rounds=self.config.bench_min_rounds, time_cap_s=self.config.bench_time_cap_s,
                              ci_rel=self.config.bench_ci_rel)
        lo, hi = m.speedup_ci
        timing = (f"{m.speedup:.2f}x over the live variant (95% CI {lo:.2f}-{hi:.2f}, "
                  f"{m.baseline_ms:.3f} -> {m.candidate_ms:.3f} ms, {m.rounds} interleaved rounds)")
        if not lo > self.config.min_speedup:
            return refuse(f"not faster with confidence: {timing}", variant=impl.variant_hash,
                          speedup=m.speedup, speedup_ci=(lo, hi))
        return Decision(PromotionEvent.PROMOTE, cand.identity, f"{timing}; shadow run agrees",
                        impl.variant_hash, m.speedup, (lo, hi), time.time()), impl

    def _compile(self, record) -> CompiledKernel:
        return compile_candidate(self._kernel(), record)

    def _kernel(self) -> str:
        if self._kernel_text is None:
            run = self.store.get_run(self.run_id)
            if run is None:
                raise NeuroJITError(f"no run {self.run_id} in the results store; start the run before promoting")
            self._kernel_text = run.kernel_text
        return self._kernel_text

    def _shadow(self, live: CompiledKernel, impl: CompiledKernel, args: list[np.ndarray]) -> str | None:
        """Run both on copies of `args`; a sentence saying how the outputs differ, or None."""
        want = [a.copy() for a in args]
        got = [a.copy() for a in args]
        try:
            live(*want)
            impl(*got)
        except Exception as exc:  # a shadow run must never take the promoter down
            return f"the call raised {type(exc).__name__}: {exc}"
        for i, a in enumerate(live.signature.args):
            if a.role == "out":
                problem, err, rel, where = inputs.compare(got[i], want[i], self._tolerance())
                if problem is not None:
                    return (f"output %{a.name} is {problem} ({where}; max abs err {err:.3g}, "
                            f"max rel err {rel:.3g})")
            elif not np.array_equal(got[i], args[i], equal_nan=True):
                return f"it wrote to the input %{a.name}"
        return None

    def _tolerance(self) -> float:
        if self._rtol is None:
            depth = reduction_depth(self._kernel())  # parses the (trusted, preflighted) kernel
            sig = self.live.signature
            self._rtol = max(inputs.tolerance(a.dtype, depth, self.config.tolerance_factor) for a in sig.outputs)
        return self._rtol


def compile_candidate(kernel_text: str, record) -> CompiledKernel:
    """A stored candidate compiled in this process: its schedule applied to the (trusted) kernel text, or its
    module; kind and knobs as the candidate's text decides, whatever the record's columns say."""
    cand = record.candidate
    if cand.is_schedule:
        return compile_kernel(kernel_text, schedule=cand.text, knobs=dict(cand.knobs) or None)
    return compile_kernel(cand.text)


class WatchKind(str, enum.Enum):
    CONSIDER = "consider"  # a new best candidate of the run goes to the gate
    DECISION = "decision"  # the gate decided on it: `decision.event` is PROMOTE or REFUSED
    ROLLBACK = "rollback"  # a later shadow check rolled the promoted variant back
    ERROR = "error"  # the gate or the store raised; the watcher carries on with the live variant it has


@dataclass(frozen=True)
class WatchEvent:
    """What the watcher did, as one human sentence (`text`) and as data."""
    kind: WatchKind
    text: str
    candidate: Any = None  # the CandidateRecord considered (CONSIDER, DECISION)
    decision: Decision | None = None  # DECISION, ROLLBACK
    error: Exception | None = None  # ERROR


def describe(candidate) -> str:
    """A candidate record in a few words: its schedule (or kind), identity prefix and knobs."""
    knobs = " ".join(f"{k}={v}" for k, v in sorted((candidate.knobs or {}).items()))
    return f"{candidate.schedule or candidate.kind.value} {candidate.identity[:10]}" + (f" [{knobs}]" if knobs else "")


class Watcher:
    """The promote stage of a run in progress: on its own thread, gives each new best candidate of the
    promoter's run to `Promoter.consider`, and every `recheck_s` shadow-checks the promoted variant with
    `Promoter.recheck`. What it does goes to `on_event` (from its thread); nothing is printed. An exception
    in the gate or the store is reported as an ERROR event and the watcher carries on.

    `stop` ends it (set it, or call `stop()`); `agent_done` says the search has finished, after which the
    watcher is `settled` once the run's final best has been considered. Both events may be shared with
    the caller's other threads (the demo hands `stop` to the agent too).
    """

    def __init__(self, promoter: Promoter, on_event: Callable[[WatchEvent], None] | None = None, *,
                 stop: threading.Event | None = None, agent_done: threading.Event | None = None,
                 poll_s: float = 0.2, recheck_s: float = 2.0, recheck_wait_s: float = 0.5,
                 error_pause_s: float = 1.0):
        self.promoter = promoter
        self.on_event = on_event
        self.stopping = stop or threading.Event()
        self.agent_done = agent_done or threading.Event()
        self.poll_s, self.recheck_s, self.recheck_wait_s = poll_s, recheck_s, recheck_wait_s
        self.error_pause_s = error_pause_s
        self.last_decision = 0.0  # time.monotonic() of the last PROMOTE, REFUSED or ROLLBACK; 0 before any
        self._settled = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="gate", daemon=True)

    def start(self) -> Watcher:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> bool:
        """Ask the watcher to stop and wait up to `timeout` for a decision in flight; True once it has ended."""
        self.stopping.set()
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def settled(self) -> bool:
        """The agent is done and the run's final best has been considered."""
        return self._settled.is_set()

    def wait_settled(self, timeout: float | None = None) -> bool:
        return self._settled.wait(timeout)

    def _emit(self, kind: WatchKind, text: str, **what: Any) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(WatchEvent(kind, text, **what))
        except Exception:  # a broken listener must not stop promotion; the traceback goes to the log
            log.exception("the promotion watcher's on_event callback raised")

    def _loop(self) -> None:
        p, run_id = self.promoter, self.promoter.run_id
        seen: str | None = None
        last_check = time.monotonic()
        while not self.stopping.is_set():
            try:
                done = self.agent_done.is_set()  # read before the store: a best written before `done` is seen below
                best = p.store.best(run_id)
                if best is not None and best.identity != seen:
                    seen = best.identity
                    self._emit(WatchKind.CONSIDER, f"considering {describe(best)} (sandbox speedup "
                               f"{best.speedup:.2f}x)", candidate=best)
                    event = p.consider(best)
                    d = p.last
                    self.last_decision = time.monotonic()
                    self._emit(WatchKind.DECISION, f"{event.value.upper()} {describe(best)}: {d.detail}",
                               candidate=best, decision=d)
                elif done:
                    self._settled.set()
                if time.monotonic() - last_check > self.recheck_s:
                    last_check = time.monotonic()
                    if p.recheck(wait_s=self.recheck_wait_s) is not None:
                        d = p.last
                        self.last_decision = time.monotonic()
                        self._emit(WatchKind.ROLLBACK, f"ROLLBACK {d.identity[:10]}: {d.detail}", decision=d)
            except Exception as exc:  # the program goes on with the variant it has; the reason is reported
                self._emit(WatchKind.ERROR, f"error: {type(exc).__name__}: {exc}", error=exc)
                self.stopping.wait(self.error_pause_s)
            self.stopping.wait(self.poll_s)


__all__ = ["Decision", "GateConfig", "GuardedLive", "Promoter", "WatchEvent", "WatchKind", "Watcher", "describe"]
