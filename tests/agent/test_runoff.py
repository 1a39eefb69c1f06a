"""The runoff: a run's best few accepted candidates timed against each other before the run names its best."""

from __future__ import annotations

import functools
import threading
from dataclasses import replace
from types import SimpleNamespace

from support.loop import TileProvider, quick_options
from support.paths import MATMUL

from neurojit.agent import runoff
from neurojit.agent.proposal import Proposal
from neurojit.agent.budget import Budget
from neurojit.agent.run import tune
from neurojit.agent.session import Session
from neurojit.agent.store import ResultStore
from neurojit.compiler.kernel import load_kernel
from neurojit.compiler.source import read_source
from neurojit.evaluator.record import Check, Reason, Verdict

TILE = (MATMUL.parents[1] / "schedules" / "tile_matmul.mlir").read_text()


def rec(identity, speedup, accepted=True):
    return SimpleNamespace(identity=identity, speedup=speedup, accepted=accepted)


def test_finalists_are_the_best_recorded_within_the_noise_of_the_top():
    records = [rec("a", 10.0), rec("b", 7.4), rec("c", 9.0), rec("d", 30.0, accepted=False), rec("e", None),
               rec("f", 8.0), rec("g", 7.6)]
    assert [r.identity for r in runoff.finalists(records)] == ["a", "c", "f", "g"]  # d rejected, e untimed, b < 75%
    assert [r.identity for r in runoff.finalists(records, limit=2)] == ["a", "c"]
    assert [r.identity for r in runoff.finalists(records, within=0.95)] == ["a"]
    assert runoff.finalists([rec("d", 3.0, accepted=False)]) == []
    # none at or below the baseline (a winner there would leave nothing to export): 1.2x admits 0.95x otherwise
    assert [r.identity for r in runoff.finalists([rec("h", 1.2), rec("i", 0.95), rec("j", 1.0)])] == ["h"]


def test_the_fastest_recorded_time_is_a_finalist_too():
    # one evaluation's baseline was slow throughout: its candidate's ratio is inflated, a faster one's is not
    def timed(identity, speedup, ms):
        return SimpleNamespace(identity=identity, speedup=speedup, accepted=True, candidate_ms=ms)

    records = [timed("a", 9.90, 0.743), timed("b", 7.50, 0.985), timed("f", 17.36, 0.952), timed("c", 2.0, 3.7)]
    assert [r.identity for r in runoff.finalists(records)] == ["f", "a"]
    # second, not last: a slow kernel's runoff times only its first few finalists
    near = [timed("f", 17.36, 0.952), timed("b", 16.0, 0.99), timed("c", 15.0, 0.98), timed("a", 9.9, 0.743)]
    assert [r.identity for r in runoff.finalists(near)][:2] == ["f", "a"]
    assert [r.identity for r in runoff.finalists(records, limit=1)] == ["f"]  # no runoff asked for
    # where the top one is also the fastest, nothing is added
    assert [r.identity for r in runoff.finalists([timed("a", 9.9, 0.74), timed("f", 17.4, 0.72)])] == ["f"]


def _accept(speedup):
    return Verdict("accept", Reason.OK, "timed", baseline_ms=10.0, candidate_ms=10.0 / speedup, speedup=speedup,
                   max_abs_err=0.0, max_rel_err=0.0, checks=(Check("equivalence", True),))


def test_the_faster_variant_wins_whatever_its_recorded_speedup(tmp_path):
    """The naive loops (as a module candidate) recorded a higher speedup than a tiled schedule: the runoff,
    which times both side by side, names the tiled one, and the store's best follows it."""
    kernel = load_kernel(read_source(str(MATMUL)))
    store = ResultStore(f"sqlite:///{tmp_path}/r.db")
    run = store.create_run(kernel, model="m", strategy="s")
    naive = Proposal.of(kernel.source, "m", "s")  # the kernel itself: as slow as the baseline
    tiled = Proposal.of(TILE, "m", "s", knobs={"ti": 16, "tj": 32, "tk": 16}, schedule="tile")
    for p, recorded in ((naive, 9.0), (tiled, 7.0)):
        store.add_candidate(run.id, p)
        store.set_verdict(run.id, p.identity, _accept(recorded))
    assert store.best(run.id).identity == naive.identity  # by the recorded speedups
    stop = threading.Event()
    session = Session(store.get_run(run.id), kernel, store, None, None, Budget(), store.url, progress=None,
                      stop_event=stop)
    stop.set()
    session.runoff()  # the caller stopped the run: it may resume and search on, so no runoff yet
    assert store.get_run(run.id).runoff is None
    stop.clear()
    # candidates timed on a cluster's workers are not re-picked on this machine
    replace(session, evaluator=SimpleNamespace(remote=True)).runoff()
    assert store.get_run(run.id).runoff is None
    session.runoff()
    result = runoff.Runoff.from_json(store.get_run(run.id).runoff)
    assert result.winner == tiled.identity and store.best(run.id).identity == tiled.identity
    loser = result.entries[1]
    assert loser.identity == naive.identity and loser.recorded_speedup == 9.0
    assert loser.margin > 1.5 and loser.margin_ci[0] > 1.0  # tiling is several times faster here
    assert "wins" in result.describe() and "slower here than the winner" in result.describe()


class TwinTiles(TileProvider):
    """The same tile twice (the second names its result otherwise: another candidate, the same code): near-equals by
    construction, whatever else the machine is doing (the tuner's trials were, until a loaded machine timed
    one 25% ahead of the rest)."""

    def propose(self, request):
        if request.round:
            return []
        knobs = {"ti": 16, "tj": 16, "tk": 16}
        return [Proposal.of(TILE, self.name, "zero-shot", knobs=knobs, schedule="tile"),
                Proposal.of(TILE.replace("%t,", "%tiled,"), self.name, "zero-shot", knobs=knobs, schedule="tile")]


def test_a_run_ends_with_a_runoff_unless_turned_off(tmp_path, monkeypatch):
    # every faster candidate a finalist: the two twins' recorded speedups, each timed in 0.3 s on a loaded
    # machine, were once more than `WITHIN` apart (that rule is the finalists test's, above)
    monkeypatch.setattr(runoff, "finalists", functools.partial(runoff.finalists, within=0.0))
    db = f"sqlite:///{tmp_path}/runs.db"
    s = tune(str(MATMUL), quick_options(db, "r", 6), progress=None, provider=TwinTiles())
    store = ResultStore(db)
    assert len(store.candidates("r")) == 2 and len(runoff.finalists(store.candidates("r"))) == 2
    assert s.runoff is not None and store.best("r").identity == s.runoff["entries"][0]["identity"]
    assert s.best_ms == store.best("r").candidate_ms
    off = tune(str(MATMUL), replace(quick_options(db, "off", 6), finalists=0), progress=None, provider=TwinTiles())
    assert off.runoff is None


def test_a_time_limit_keeps_room_for_the_runoff():
    import time

    started = time.monotonic() - 95.0  # 95 s into a 100 s limit
    assert Budget(40, 100.0).exhausted(candidates=1, started=started) is None
    assert runoff.reserve(100.0, 5) == 8.0 and runoff.reserve(20.0, 5) == 2.0 and runoff.reserve(None, 5) == 0.0
    assert runoff.reserve(100.0, 1) == 0.0  # no runoff, nothing kept
    reached = Budget(40, 100.0).exhausted(candidates=1, started=started, reserve_s=runoff.reserve(100.0, 5))
    assert reached == "time limit reached (100 s)"
    # half the reserve (2 s of a 20 s limit), at most TIME_CAP_S (the suite sets it to 0.5: NEUROJIT_RUNOFF_CAP_S)
    assert runoff.time_cap(20.0) == min(1.0, runoff.TIME_CAP_S) and runoff.time_cap(None) == runoff.TIME_CAP_S


def test_a_finalist_that_does_not_compile_here_is_left_out_and_said(tmp_path):
    from neurojit.evaluator.record import Candidate

    kernel = load_kernel(read_source(str(MATMUL)))
    good = [SimpleNamespace(identity=f"tile{t}", speedup=5.0, accepted=True,
                            candidate=Candidate.of(TILE, {"ti": t, "tj": 32, "tk": 16})) for t in (8, 16)]
    bad = SimpleNamespace(identity="broken", speedup=6.0, accepted=True, candidate=Candidate.of(TILE, {"ti": 0}))
    result = runoff.runoff(kernel.source, [bad, *good], time_cap_s=0.2)
    assert {e.identity for e in result.entries} == {"tile8", "tile16"}
    assert len(result.dropped) == 1 and result.dropped[0].startswith("broken:")
    assert "left out: broken:" in result.describe()
    assert runoff.runoff(kernel.source, [bad, good[0]], time_cap_s=0.2) is None  # one left: nothing to compare


def test_the_runoff_draws_index_inputs_within_their_table():
    # the finalists run in the tune process: a gather's random indices in [-8, 8] read before its table
    from neurojit.compiler import compile_kernel

    gather = """func.func @gather(%table: memref<16xf32>, %idx: memref<32xi32>, %n: memref<4xi32>, %out: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  scf.for %i = %c0 to %c32 step %c1 {
    %k = memref.load %idx[%i] : memref<32xi32>
    %j = arith.index_cast %k : i32 to index
    %v = memref.load %table[%j] : memref<16xf32>
    memref.store %v, %out[%i] : memref<32xf32>
  }
  return
}"""
    k = compile_kernel(gather)
    values = runoff._arguments(gather, k.signature, [k])
    assert values[1].min() >= 0 and values[1].max() < 16 and len(set(values[1].tolist())) > 4
    assert not values[2].any()  # an integer input that is no index: zeros


DIVMOD = """#id = affine_map<(i) -> (i)>
func.func @divmod(%a: memref<64xi32>, %b: memref<64xi32>, %q: memref<64xi32> {neurojit.output},
                  %r: memref<64xi32> {neurojit.output}) {
  linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel"]}
    ins(%a, %b : memref<64xi32>, memref<64xi32>) outs(%q, %r : memref<64xi32>, memref<64xi32>) {
  ^bb0(%x: i32, %y: i32, %o: i32, %p: i32):
    %d = arith.divsi %x, %y : i32
    %m = arith.remsi %x, %y : i32
    linalg.yield %d, %m : i32, i32
  }
  return
}"""


def test_the_runoff_gives_a_divisor_no_zeros():
    # zeros for integer inputs that index nothing: the finalists of a division kernel killed the tune (SIGFPE)
    from neurojit.compiler import compile_kernel

    k = compile_kernel(DIVMOD)
    values = runoff._arguments(DIVMOD, k.signature, [k])
    assert values[1].all()
    k(*values)  # in this process: it would have died here
    assert values[1].min() >= 1 and values[1].max() <= 8


def test_a_kernel_that_traps_on_every_argument_set_is_a_sentence_not_a_dead_process():
    import pytest

    from neurojit.compiler import compile_kernel
    from neurojit.compiler.errors import CallError

    # a divisor of 0 for every fill tried (0, 1, 1..8): bit 4 of b
    always = DIVMOD.replace("%d = arith.divsi %x, %y : i32", "%c16 = arith.constant 16 : i32\n"
                            "    %z = arith.andi %y, %c16 : i32\n    %d = arith.divsi %x, %z : i32")
    k = compile_kernel(always)
    with pytest.raises(CallError, match=r"zero: signal SIGFPE; in \[1, 8\]: signal SIGFPE; one: signal SIGFPE"):
        runoff._arguments(always, k.signature, [k])
