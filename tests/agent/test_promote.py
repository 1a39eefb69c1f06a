"""The promotion gate: only accepted, faster, shadow-agreeing candidates go live; failures roll back."""

from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np
import pytest

from neurojit.agent.analyze import analyze
from neurojit.agent.promote import GateConfig, GuardedLive, Promoter, WatchEvent, WatchKind, Watcher
from neurojit.agent.proposal import Proposal
from neurojit.agent.schedules import PackedMatmul
from neurojit.agent.store import CandidateKind, PromotionEvent, ResultStore
from neurojit.compiler import LiveKernel, compile_kernel, host, load_kernel
from neurojit.compiler.source import Source
from neurojit.evaluator import EvalConfig, Evaluator
from neurojit.evaluator.record import Reason, Verdict

N = 128
T = f"memref<{N}x{N}xf32>"
NAIVE = f"""func.func @matmul(%A: {T}, %B: {T}, %C: {T}) {{
  linalg.matmul ins(%A, %B : {T}, {T}) outs(%C : {T})
  return
}}
"""
# Right on every input the evaluator draws (random and structured sets never put 7.0 at A[0,0]), wrong on
# a program's input that does: the kind of candidate only a shadow run on live inputs can catch.
TRIGGER = f"""func.func @matmul(%A: {T}, %B: {T}, %C: {T}) {{
  linalg.matmul ins(%A, %B : {T}, {T}) outs(%C : {T})
  %c0 = arith.constant 0 : index
  %a = memref.load %A[%c0, %c0] : {T}
  %seven = arith.constant 7.0 : f32
  %hit = arith.cmpf oeq, %a, %seven : f32
  scf.if %hit {{
    %junk = arith.constant 12345.0 : f32
    memref.store %junk, %C[%c0, %c0] : {T}
  }}
  return
}}
"""
FAST = PackedMatmul().text(analyze(NAIVE), host())
FAST_KNOBS = dict(PackedMatmul().defaults(analyze(NAIVE), host()))
QUICK = GateConfig(bench_time_cap_s=0.5, capture_wait_s=0.0)


def _accept(speedup: float = 2.0) -> Verdict:
    return Verdict("accept", Reason.OK, "all checks passed", 1.0, 1.0 / speedup, speedup)


def _add(store, run_id, text, verdict, knobs=None):
    p = Proposal.of(text, "test", "test", knobs=knobs)
    p = dataclasses.replace(p, schedule="packed_matmul" if p.kind is CandidateKind.SCHEDULE else None)
    store.add_candidate(run_id, p)
    return store.set_verdict(run_id, p.identity, verdict) if verdict is not None else store.candidate(run_id, p.identity)


def _arrays(seed=0, a00=None):
    rng = np.random.default_rng(seed)
    a, b, c = (rng.uniform(-1, 1, (N, N)).astype(np.float32) for _ in range(3))
    if a00 is not None:
        a[0, 0] = a00
    return a, b, c


@pytest.fixture
def setup(tmp_path):
    store = ResultStore(f"sqlite:///{tmp_path}/runs.db")
    run = store.create_run(load_kernel(Source(NAIVE, "matmul.mlir")), model="test", strategy="test", run_id="r")
    yield store, run.id
    store.close()


def _promoter(store, run_id, start=NAIVE, config=QUICK):
    guard = GuardedLive(LiveKernel(compile_kernel(start) if isinstance(start, str) else start), every=1)
    return Promoter(guard, store, run_id, config), guard


def test_refuses_candidates_the_evaluator_did_not_accept(setup):
    store, run_id = setup
    promoter, guard = _promoter(store, run_id)
    guard(*_arrays())
    before = guard.live.current
    rejected = Verdict("reject", Reason.WRONG_RESULT, "output %C differs")
    wrong = _add(store, run_id, FAST, rejected, FAST_KNOBS)
    pending = _add(store, run_id, TRIGGER, None)
    assert promoter.consider(wrong) == PromotionEvent.REFUSED
    assert "wrong_result" in promoter.last.detail
    assert promoter.consider(pending) == PromotionEvent.REFUSED
    assert guard.live.current is before
    events = store.promotions(run_id)
    assert [e.event for e in events] == [PromotionEvent.REFUSED] * 2
    assert events[0].identity == wrong.identity and "only accepted candidates" in events[0].detail


def test_refuses_a_correct_candidate_slower_than_the_live_one(setup):
    store, run_id = setup
    fast = compile_kernel(NAIVE, schedule=FAST, knobs=FAST_KNOBS)
    promoter, guard = _promoter(store, run_id, start=fast)
    guard(*_arrays())
    slower = _add(store, run_id, NAIVE, _accept(1.0))  # the naive kernel: correct, and accepted
    assert promoter.consider(slower) == PromotionEvent.REFUSED
    d = promoter.last
    assert d.detail.startswith("not faster with confidence") and d.speedup_ci[0] <= 1.0
    assert guard.live.current is fast
    assert store.promotions(run_id)[-1].event == PromotionEvent.REFUSED


def test_refuses_when_the_shadow_run_on_live_inputs_disagrees(setup):
    store, run_id = setup
    promoter, guard = _promoter(store, run_id, config=GateConfig(min_speedup=0.0, capture_wait_s=0.0))
    guard(*_arrays(a00=7.0))  # what the program really passes
    with Evaluator(EvalConfig(workers=1, bench_time_cap_s=0.2)) as ev:
        verdict = ev.evaluate(NAIVE, TRIGGER)  # the real sandboxed evaluation
    assert verdict.accepted, verdict.detail  # its inputs never trip the trigger
    cheat = _add(store, run_id, TRIGGER, verdict)
    assert promoter.consider(cheat) == PromotionEvent.REFUSED
    assert "shadow run on the live arguments disagrees" in promoter.last.detail
    assert "1 of" in promoter.last.detail  # one element differs: C[0, 0]
    assert guard.live.history[-1].action == "start"


def test_promotes_a_faster_correct_candidate(setup):
    store, run_id = setup
    promoter, guard = _promoter(store, run_id)
    a, b, c = _arrays()
    guard(a, b, c.copy())
    cand = _add(store, run_id, FAST, _accept(20.0), FAST_KNOBS)
    assert promoter.consider(cand) == PromotionEvent.PROMOTE, promoter.last.detail
    d = promoter.last
    assert d.speedup_ci[0] > 1.0 and "shadow run agrees" in d.detail
    assert guard.live.current.variant_hash == compile_kernel(NAIVE, schedule=FAST, knobs=FAST_KNOBS).variant_hash
    out = c.copy()
    guard(a, b, out)
    np.testing.assert_allclose(out, c + a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)
    assert [e.event for e in store.promotions(run_id)] == [PromotionEvent.PROMOTE]
    assert promoter.consider(cand) == PromotionEvent.REFUSED  # already live: nothing to do
    assert "already the live variant" in promoter.last.detail


def test_an_exception_after_promotion_rolls_back_and_is_recorded(setup):
    store, run_id = setup
    promoter, guard = _promoter(store, run_id)
    naive = guard.live.current
    a, b, c = _arrays()
    guard(a, b, c.copy())
    cand = _add(store, run_id, FAST, _accept(20.0), FAST_KNOBS)
    assert promoter.consider(cand) == PromotionEvent.PROMOTE, promoter.last.detail
    promoted = guard.live.current
    original = promoted.call_tuple

    def broken(arrays):
        raise RuntimeError("the new variant fails")

    promoted.call_tuple = broken  # the compile cache shares this object: restored below
    try:
        out = c.copy()
        guard(a, b, out)  # the caller still gets its answer, from the variant live before
    finally:
        promoted.call_tuple = original
    np.testing.assert_allclose(out, c + a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)
    assert guard.live.current is naive and guard.live.history[-1].action == "rollback"
    last = store.promotions(run_id)[-1]
    assert last.event == PromotionEvent.ROLLBACK and last.identity == cand.identity
    assert "RuntimeError" in last.detail
    assert promoter.consider(cand) == PromotionEvent.REFUSED  # not twice
    assert "rolled back" in promoter.last.detail


def test_a_later_shadow_disagreement_rolls_back(setup):
    store, run_id = setup
    # min_speedup 0: let the (correct-looking, not faster) cheat in, to see the later check catch it
    promoter, guard = _promoter(store, run_id, config=GateConfig(min_speedup=0.0, bench_time_cap_s=0.2,
                                                                 capture_wait_s=0.0))
    naive = guard.live.current
    guard(*_arrays())
    cheat = _add(store, run_id, TRIGGER, _accept())
    assert promoter.consider(cheat) == PromotionEvent.PROMOTE, promoter.last.detail
    assert promoter.recheck(wait_s=0.0) is None  # the same kind of inputs: still agrees
    guard(*_arrays(seed=1, a00=7.0))  # the program's inputs change
    assert promoter.recheck(wait_s=0.0) == PromotionEvent.ROLLBACK
    assert guard.live.current is naive
    last = store.promotions(run_id)[-1]
    assert last.event == PromotionEvent.ROLLBACK and "later shadow check disagreed" in last.detail


def test_capture_every_nth_call_and_on_request(setup):
    store, run_id = setup
    guard = GuardedLive(LiveKernel(compile_kernel(NAIVE)), every=3)
    a, b, c = _arrays()
    guard(a, b, c)
    assert guard.recent_inputs() is None  # only every third call is copied
    guard(a, b, c)
    before = c.copy()
    guard(a, b, c)
    got = guard.recent_inputs()
    np.testing.assert_array_equal(got[2], before)  # copied before the call: outputs' initial contents
    guard.request_capture()
    a2 = a + 1
    guard(a2, b, c)
    np.testing.assert_array_equal(guard.recent_inputs()[0], a2)


# The promote stage on its own (no demo): a Watcher thread feeds the run's new best to the gate.

def _until(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _watcher(promoter, **kw):
    events: list[WatchEvent] = []
    watcher = Watcher(promoter, events.append, poll_s=0.02, **kw)
    return watcher, events


def _of(events, kind):
    return [e for e in list(events) if e.kind is kind]


def test_the_watcher_promotes_a_runs_new_best_candidate(setup):
    store, run_id = setup
    promoter, guard = _promoter(store, run_id)
    naive = guard.live.current
    guard(*_arrays())  # the program has called the kernel: there are arguments to shadow-run on
    watcher, events = _watcher(promoter)
    watcher.start()
    try:
        time.sleep(0.1)
        assert events == [] and not watcher.settled  # nothing accepted yet, and the agent is not done
        cand = _add(store, run_id, FAST, _accept(20.0), FAST_KNOBS)  # what the agent stores meanwhile
        _until(lambda: _of(events, WatchKind.DECISION))
        considering, decided = events[:2]
        assert considering.kind is WatchKind.CONSIDER and considering.candidate.identity == cand.identity
        assert considering.text.startswith(f"considering packed_matmul {cand.identity[:10]} [")
        assert decided.decision.event == PromotionEvent.PROMOTE, decided.text
        assert decided.text.startswith("PROMOTE packed_matmul") and "shadow run agrees" in decided.text
        assert guard.live.current is not naive and watcher.last_decision > 0
        assert [e.event for e in store.promotions(run_id)] == [PromotionEvent.PROMOTE]
        watcher.agent_done.set()
        assert watcher.wait_settled(10)
        assert len(events) == 2  # the same best is never considered twice
    finally:
        assert watcher.stop(timeout=10)
    assert not watcher.alive


def test_an_exception_in_the_gate_does_not_stop_the_watcher(setup):
    store, run_id = setup
    promoter, guard = _promoter(store, run_id)
    guard(*_arrays())
    real = promoter.consider
    calls = []

    def flaky(candidate):
        calls.append(candidate.identity)
        if len(calls) == 1:
            raise RuntimeError("the gate broke")
        return real(candidate)

    promoter.consider = flaky

    def broken_listener(event):
        if event.kind is WatchKind.CONSIDER:
            raise ValueError("a listener's bug")  # logged, never stops promotion
        events.append(event)

    events: list[WatchEvent] = []
    watcher = Watcher(promoter, broken_listener, poll_s=0.02, error_pause_s=0.05).start()
    try:
        _add(store, run_id, FAST, _accept(2.0), FAST_KNOBS)
        _until(lambda: _of(events, WatchKind.ERROR))
        assert _of(events, WatchKind.ERROR)[0].text == "error: RuntimeError: the gate broke"
        assert watcher.alive
        # A newer, better candidate still reaches the gate (the naive kernel itself: refused at once).
        again = _add(store, run_id, NAIVE, _accept(3.0))
        _until(lambda: _of(events, WatchKind.DECISION))
        d = _of(events, WatchKind.DECISION)[0]
        assert calls[-1] == again.identity and d.decision.event == PromotionEvent.REFUSED
        assert "already the live variant" in d.text
    finally:
        assert watcher.stop(timeout=10)


def test_stop_ends_the_watcher_thread(setup):
    store, run_id = setup
    promoter, _ = _promoter(store, run_id)
    assert Watcher(promoter).stop(timeout=1)  # never started: nothing to wait for
    stop, done = threading.Event(), threading.Event()
    watcher = Watcher(promoter, stop=stop, agent_done=done, poll_s=0.02).start()
    assert watcher.alive and not watcher.settled
    done.set()  # the agent finished without an accepted candidate: nothing left to consider
    assert watcher.wait_settled(5)
    stop.set()  # the caller's own stop event (the demo shares it with the agent) ends the thread too
    _until(lambda: not watcher.alive, timeout=5)
    watcher = Watcher(promoter, poll_s=0.02).start()
    assert watcher.stop(timeout=5) and not watcher.alive


def test_the_watcher_rolls_back_when_a_recheck_disagrees(setup):
    store, run_id = setup
    config = GateConfig(min_speedup=0.0, bench_time_cap_s=0.2, capture_wait_s=0.0)
    promoter, guard = _promoter(store, run_id, config=config)
    naive = guard.live.current
    guard(*_arrays())
    watcher, events = _watcher(promoter, recheck_s=0.05, recheck_wait_s=0.0)
    watcher.start()
    try:
        cheat = _add(store, run_id, TRIGGER, _accept())
        _until(lambda: _of(events, WatchKind.DECISION))
        assert _of(events, WatchKind.DECISION)[0].decision.event == PromotionEvent.PROMOTE
        guard(*_arrays(seed=1, a00=7.0))  # the program's inputs change; the next recheck sees them
        _until(lambda: _of(events, WatchKind.ROLLBACK))
        rollback = _of(events, WatchKind.ROLLBACK)[0]
        assert rollback.decision.identity == cheat.identity and guard.live.current is naive
        assert rollback.text.startswith(f"ROLLBACK {cheat.identity[:10]}: a later shadow check disagreed")
    finally:
        assert watcher.stop(timeout=10)
