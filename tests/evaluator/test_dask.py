"""Evaluation on a Dask cluster (evaluator/dask.py): a `dask.distributed.LocalCluster` of 2 worker processes
runs a tune whose verdicts equal the local evaluator's; a worker killed mid-run loses no verdict; an
evaluation lost for good is an error, never a verdict; bad addresses are user errors."""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time

import pytest
from support.paths import ROOT
from support.spin import SPIN

from neurojit.agent.budget import Budget
from neurojit.agent.proposal import Proposal
from neurojit.agent.provider import Provider
from neurojit.agent.run import TuneOptions, tune
from neurojit.agent.store import ResultStore
from neurojit.compiler.errors import NeuroJITError
from neurojit.evaluator import EvalConfig
from neurojit.evaluator.dask import EvaluationLost, address, connect

distributed = pytest.importorskip("distributed")

CASES = ROOT / "tests" / "evaluator" / "adversarial" / "cases"
KERNEL = CASES / "01_accept_tiled_matmul_subview" / "base.mlir"  # a 16x20x24 matmul: quick to evaluate
PICKS = ("01_accept_tiled_matmul_subview", "07_accept_schedule_tile_using_for", "20_reject_offbyone_tile_bound",
         "40_reject_writes_input_store", "56_reject_double_free", "80_reject_global_cache_result",
         "96_reject_syntax_error", "86_reject_sig_changed_shape")
CONFIG = EvalConfig(workers=2, bench_time_cap_s=0.2, random_sets=1, run_timeout_floor_s=1.0, run_timeout_cap_s=15.0)


class Fixed(Provider):
    """Proposes the picked cases once (no knobs, so no tuning): a run's verdicts are the evaluator's alone."""
    name = "fixed"
    one_shot = True

    def __init__(self, extra=()):
        self.texts = [(CASES / p / "cand.mlir").read_text() for p in PICKS] + list(extra)

    def propose(self, request):
        return [] if request.round else [Proposal.of(t, self.name, "zero-shot") for t in self.texts]


def _options(tmp_path, run_id, evaluator=None, budget=20):
    return TuneOptions(budget=Budget(budget, 300), db=f"sqlite:///{tmp_path}/{run_id}.db", run_id=run_id,
                       evaluation=CONFIG, evaluator=evaluator)


def _verdicts(tmp_path, run_id):
    return [(c.identity, c.verdict.verdict.value, c.verdict.reason.value)
            for c in ResultStore(f"sqlite:///{tmp_path}/{run_id}.db").candidates(run_id)]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as c, distributed.Client(c) as client:
        yield c, client


def test_addresses_and_unreachable_schedulers_are_user_errors():
    assert address("dask://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert address("tls://sched:8786") == "tls://sched:8786"
    for bad in ("10.0.0.5:8786", "http://x:1", "dask://"):
        with pytest.raises(NeuroJITError, match="dask://HOST:PORT"):
            address(bad)
    t0 = time.monotonic()
    with pytest.raises(NeuroJITError, match="cannot reach the Dask scheduler"):
        connect("dask://127.0.0.1:9", wait_s=1)
    assert time.monotonic() - t0 < 20


@pytest.mark.slow
def test_a_tune_on_the_cluster_gives_the_local_verdicts_and_survives_a_killed_worker(tmp_path, cluster):
    c, client = cluster
    tune(str(KERNEL), _options(tmp_path, "local"), progress=None, provider=Fixed([SPIN]))
    want = _verdicts(tmp_path, "local")
    assert len(want) == len(PICKS) + 1 and {v for _, v, _ in want} == {"accept", "reject"}

    s = tune(str(KERNEL), _options(tmp_path, "dask", client), progress=None, provider=Fixed([SPIN]))
    assert s.status.value == "finished" and _verdicts(tmp_path, "dask") == want
    store = ResultStore(f"sqlite:///{tmp_path}/dask.db")
    where = [ch for c_ in store.candidates("dask") for ch in c_.verdict.checks if ch.name == "worker"]
    assert len(where) == len(want) and all("Dask worker tcp://" in ch.detail for ch in where)
    placed = [c_.verdict.worker for c_ in store.candidates("dask")]
    assert all(p and p["worker"].startswith("tcp://") and p["host"] and p["cpu"] for p in placed)

    # again, with a worker SIGKILLed while it evaluates: Dask runs that evaluation again on a live worker
    pids = client.run(os.getpid)
    killed: list[str] = []

    def kill_one_busy_worker():
        end = time.time() + 60
        while time.time() < end and not killed:
            busy = [addr for addr, keys in client.processing().items() if keys and addr in pids]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(busy[0])
            time.sleep(0.02)

    killer = threading.Thread(target=kill_one_busy_worker, daemon=True)
    killer.start()
    s = tune(str(KERNEL), _options(tmp_path, "killed", client), progress=None, provider=Fixed([SPIN]))
    killer.join()
    assert killed, "no worker was ever busy"
    assert s.status.value == "finished" and _verdicts(tmp_path, "killed") == want
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it


@pytest.mark.slow
def test_an_evaluation_lost_for_good_is_an_error_not_a_verdict(cluster, tmp_path):
    c, client = cluster
    c.scheduler.allowed_failures = 0  # the first lost worker ends the evaluation
    try:
        # no benchmark, a long timeout: the quick candidate is surely done while the spinning one runs
        ev = connect(client, dataclasses.replace(CONFIG, bench=False, run_timeout_floor_s=3.0), attempts=1)
        pids = client.run(os.getpid)

        def kill_the_spinning_worker():
            end, both = time.time() + 60, False
            while time.time() < end:
                busy = [addr for addr, keys in client.processing().items() if keys and addr in pids]
                both = both or len(busy) == 2
                if both and len(busy) == 1:  # the quick candidate is done; the spinning one is in flight
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    return
                time.sleep(0.02)

        threading.Thread(target=kill_the_spinning_worker, daemon=True).start()
        good = (CASES / PICKS[0] / "cand.mlir").read_text()
        # through a run's session, as `neurojit tune` meets it: the finished verdict is kept, the lost one is not
        from neurojit.agent.heuristic import HeuristicProvider
        from neurojit.agent.session import Session
        from neurojit.compiler.kernel import load_kernel

        store, kernel = ResultStore(f"sqlite:///{tmp_path}/r.db"), load_kernel(KERNEL)
        run = store.create_run(kernel, model="heuristic", strategy="zero-shot", run_id="lost")
        session = Session(run, kernel, store, ev, HeuristicProvider(), Budget(4, 300), store.url, progress=None)
        props = [Proposal.of(good, "test", "test"), Proposal.of(SPIN, "test", "test")]
        with pytest.raises(EvaluationLost, match="lost 1 evaluation") as info:
            session.evaluate(props)
        first, lost = info.value.verdicts
        assert first is not None and first.accepted and lost is None
        kept = {c.identity: c.verdict for c in store.candidates("lost")}
        assert kept[props[0].identity] == first and kept[props[1].identity] is None
    finally:
        c.scheduler.allowed_failures = 3
        client.wait_for_workers(2, timeout=60)
