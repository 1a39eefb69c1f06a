"""The time limit holds: no evaluation batch starts that is expected to end past it, the runoff fits in what is
left; and the progress line is printed only when it says something new. On a fake clock and a fake evaluator
(no MLIR compiled), so these are quick and exact."""

from __future__ import annotations

import dataclasses
import io

from support.loop import TileProvider
from support.paths import MATMUL

from neurojit.agent import graph
from neurojit.agent.budget import Budget
from neurojit.agent.proposal import Proposal
from neurojit.agent.session import Session
from neurojit.agent.store import ResultStore
from neurojit.compiler.kernel import load_kernel
from neurojit.compiler.source import read_source
from neurojit.evaluator import EvalConfig
from neurojit.evaluator.record import Check, Reason, Verdict

TILE = (MATMUL.parents[1] / "schedules" / "tile_matmul.mlir").read_text()


class Clock:
    def __init__(self, now: float = 0.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _accept(speedup: float, timings: dict | None = None) -> Verdict:
    return Verdict("accept", Reason.OK, "timed", baseline_ms=10.0, candidate_ms=10.0 / speedup, speedup=speedup,
                   max_abs_err=0.0, max_rel_err=0.0, checks=(Check("equivalence", True),), timings=timings)


class SlowEvaluator:
    """Accepts every candidate; a batch takes `seconds` of the fake clock, whatever its size (one worker each),
    the first `first_s` (its references) if given; each verdict says its worker took `worked_s`, if given."""

    def __init__(self, clock: Clock, seconds: float, workers: int = 1, first_s: float | None = None,
                 worked_s: float | None = None):
        self.clock, self.seconds, self.config = clock, seconds, EvalConfig(workers=workers)
        self.first_s, self.worked_s = first_s, worked_s
        self.batches: list[tuple[float, int]] = []  # (started at, candidates)

    def evaluate_batch(self, kernel, candidates):
        first = not self.batches
        self.batches.append((self.clock.now, len(candidates)))
        self.clock.now += self.first_s if self.first_s is not None and first else self.seconds
        timings = {"compile": 1.0, "benchmark": self.worked_s - 1.0} if self.worked_s else None
        return [_accept(0.9, timings) for _ in candidates]  # below 1x: no finalists, no runoff

    def close(self):
        pass


def _session(tmp_path, evaluator, budget, clock, provider=None, **kw):
    kernel = load_kernel(read_source(str(MATMUL)))
    store = ResultStore(f"sqlite:///{tmp_path}/r.db")
    run = store.create_run(kernel, model="tile", strategy="zero-shot")
    return Session(run, kernel, store, evaluator, provider or TileProvider(), budget, store.url, clock=clock, **kw)


def test_no_evaluation_starts_that_would_end_past_the_time_limit(tmp_path):
    """Batches of 30 s under a 100 s limit: three fit (0-90 s); a fourth, started at 90 s, would end at 120 s."""
    clock = Clock()
    ev = SlowEvaluator(clock, 30.0)
    out = io.StringIO()
    session = _session(tmp_path, ev, Budget(20, 100.0), clock, progress=out, finalists=0)
    final = graph.build(session).invoke({"round": 0, "proposals": [], "tuned": [], "stop": None},
                                        {"recursion_limit": 1000})
    assert [t for t, _ in ev.batches] == [0.0, 30.0, 60.0]
    assert clock.now <= 100.0
    assert final["stop"].startswith("time limit reached (100 s)") and "~30 s" in final["stop"]
    first, *lines = out.getvalue().splitlines()
    assert "first wave also starts the sandboxed workers" in first  # said before the references' wait
    # a progress line per batch evaluated, none repeated (a line may also show a batch half recorded: the
    # proposer's and the tuner's batches run in two threads)
    assert 3 <= len(lines) <= 6 and len(set(lines)) == len(lines)
    assert [n for n in (1, 2, 3) if any(f" {n}/20 candidates" in x for x in lines)] == [1, 2, 3]
    assert "3/20 candidates" in lines[-1] and "accepted 3" in lines[-1]


def test_a_first_wave_slowed_by_the_references_does_not_end_the_run(tmp_path):
    """A big kernel's first wave computes the baseline's references too (320 s of a 600 s limit here, its
    candidate 31 s in its worker): the run goes on with waves of ~31 s, not one of 320 s expected next."""
    clock = Clock()
    ev = SlowEvaluator(clock, 31.0, first_s=320.0, worked_s=31.0)
    session = _session(tmp_path, ev, Budget(16, 600.0), clock, progress=None, finalists=0)
    final = graph.build(session).invoke({"round": 0, "proposals": [], "tuned": [], "stop": None},
                                        {"recursion_limit": 1000})
    assert session.evaluation_s() == 31.0 and len(ev.batches) >= 8 and clock.now <= 600.0
    assert final["stop"].startswith(("candidate budget reached", "time limit reached")), final["stop"]
    ev = SlowEvaluator(Clock(), 31.0, first_s=300.0)  # verdicts without worker times: the wall time it took
    (tmp_path / "no").mkdir()
    session = _session(tmp_path / "no", ev, Budget(16, 600.0), ev.clock, progress=None, finalists=0)
    session.evaluate([Proposal.of(TILE, "tile", "zero-shot", knobs={"ti": 8, "tj": 16, "tk": 16}, schedule="tile")])
    assert session.evaluation_s() == 300.0


def test_the_runoff_reserve_and_the_pool_count(tmp_path):
    """With a runoff, the search ends by the limit less its reserve (8 s of 100); two workers evaluate two
    candidates in one wave."""
    clock = Clock()
    ev = SlowEvaluator(clock, 30.0, workers=2)
    session = _session(tmp_path, ev, Budget(20, 100.0), clock, progress=None)
    assert session.time_room() is None  # nothing known yet: time sets no bound
    props = [Proposal.of(TILE, "tile", "zero-shot", knobs={"ti": t, "tj": 16, "tk": 16}, schedule="tile")
             for t in (8, 16)]
    session.evaluate(props)
    assert session.evaluation_s() == 30.0 and session.time_room() == 4  # 62 s left: two waves of two
    clock.now = 63.0  # 29 s to the search's deadline (92 s): less than a wave
    assert session.time_room() == 0 and session.stop_reason().startswith("time limit reached (100 s)")


def test_a_repeated_batch_prints_no_progress_line(tmp_path):
    clock = Clock()
    out = io.StringIO()
    session = _session(tmp_path, SlowEvaluator(clock, 1.0), Budget(20, 100.0), clock, progress=out)
    props = [Proposal.of(TILE, "tile", "zero-shot", knobs={"ti": 8, "tj": 16, "tk": 16}, schedule="tile")]
    session.evaluate(props)
    clock.now += 5.0
    session.evaluate(props)  # answered from the run's own verdicts: nothing new
    assert len(out.getvalue().splitlines()) == 2  # the first wave's announcement, its progress line
    session.evaluate([Proposal.of(TILE, "tile", "zero-shot", knobs={"ti": 4, "tj": 16, "tk": 16}, schedule="tile")])
    assert len(out.getvalue().splitlines()) == 3


def test_the_runoff_fits_in_what_is_left_of_the_time_limit(tmp_path):
    clock = Clock()
    out = io.StringIO()
    session = _session(tmp_path, None, Budget(20, 100.0), clock, progress=out)
    for t, speedup in ((8, 2.0), (16, 1.9)):
        p = Proposal.of(TILE, "tile", "zero-shot", knobs={"ti": t, "tj": 16, "tk": 16}, schedule="tile")
        session.store.add_candidate(session.run_id, p)
        session.store.set_verdict(session.run_id, p.identity, _accept(speedup, {"schedule": 1.0, "compile": 20.0}))
    clock.now = 92.0  # the search used its share: 8 s left, and each finalist took ~21 s to compile
    session.runoff()
    assert "no runoff: compiling its finalists here would take ~42 s" in out.getvalue()
    clock.now = 101.0
    session.runoff()
    assert "no runoff: the time limit (100 s) is reached" in out.getvalue()
    assert session.store.get_run(session.run_id).runoff is None


def test_a_run_without_a_runoff_says_why(tmp_path):
    """One accepted candidate far ahead of the others: no runoff, and the run says so (it was silent)."""
    out = io.StringIO()
    session = _session(tmp_path, None, Budget(20, 100.0), Clock(), progress=out)
    for t, speedup in ((8, 4.0), (16, 1.5)):
        p = Proposal.of(TILE, "tile", "zero-shot", knobs={"ti": t, "tj": 16, "tk": 16}, schedule="tile")
        session.store.add_candidate(session.run_id, p)
        session.store.set_verdict(session.run_id, p.identity, _accept(speedup, {"schedule": 1.0, "compile": 1.0}))
    session.runoff()
    assert "no runoff: no other accepted candidate recorded above 1x is within 25% of the best's recorded speedup" in out.getvalue()
    assert session.store.get_run(session.run_id).runoff is None


class TwoTiles(TileProvider):
    """Two tunable proposals, as the heuristic makes for a dense layer (the fused and the packed matmul)."""

    def propose(self, request):
        if request.round:
            return []
        (p,) = super().propose(request)
        return [p, dataclasses.replace(p.with_knobs({"ti": 8, "tj": 16, "tk": 16}), schedule="tile2")]


def test_a_time_limited_run_tunes_both_of_its_best_proposals(tmp_path):
    """No cap on candidates, 10 s an evaluation (the two proposals 20 s) under a 300 s limit: the first proposal's
    share is 60% of what fits in the time (it was 60% of a million candidates: it took all the time, the second
    was never tuned)."""
    clock = Clock()
    ev = SlowEvaluator(clock, 10.0, first_s=20.0)
    session = _session(tmp_path, ev, Budget(10**6, 300.0), clock, provider=TwoTiles(), progress=None, finalists=0)
    graph.build(session).invoke({"round": 0, "proposals": [], "tuned": [], "stop": None}, {"recursion_limit": 1000})
    tuned = [c.schedule for c in session.store.candidates(session.run_id) if c.sampler]
    assert tuned.count("tile") >= 10 and tuned.count("tile2") >= 5 and clock.now <= 300.0, tuned
