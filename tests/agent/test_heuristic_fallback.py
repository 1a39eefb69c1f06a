"""The heuristic after round 0: nothing new while a proposal of its own was accepted; when the evaluator
rejected all of them, the applicable schedules the host model's KEEP filter left out, best first, once."""

from __future__ import annotations

from support.paths import KERNELS

from neurojit.agent.analyze import analyze
from neurojit.agent.heuristic import HeuristicProvider
from neurojit.agent.provider import Request
from neurojit.agent.schedules import FALLBACK, LIBRARY, model
from neurojit.agent.store import ResultStore
from neurojit.compiler.host import host
from neurojit.compiler.kernel import load_kernel
from neurojit.compiler.source import Source
from neurojit.evaluator.record import Reason, Verdict

REJECT = Verdict("reject", Reason.SCHEDULE_ERROR, "the kept schedule failed")
ACCEPT = Verdict("accept", Reason.OK, "", baseline_ms=2.0, candidate_ms=1.0, speedup=2.0)


def test_all_rejected_brings_the_left_out_schedules(tmp_path, monkeypatch):
    # keep only the model's best (host-independent): the others applicable to a matmul + bias + relu are left out
    monkeypatch.setattr(model, "KEEP", 1.0)
    text = (KERNELS / "matmul_bias_relu.mlir").read_text()
    info, machine = analyze(text), host().to_json()
    found = [s.name for s in model.ranked([s for s in (*LIBRARY, FALLBACK) if s.applies(info)], info, host(), keep=0.0)]
    store = ResultStore(f"sqlite:///{tmp_path / 'runs.db'}")
    provider = HeuristicProvider()

    def round_after(verdict):
        run = store.create_run(load_kernel(Source(text, "mbr.mlir")), model="heuristic", strategy="zero-shot")
        first = provider.propose(Request(text, "mbr.mlir", info, machine, 2.0, 0))
        assert first and len(first) < len(found)
        for rec in store.add_candidates(run.id, first):
            store.set_verdict(run.id, rec.identity, verdict)
        history = tuple(store.candidates(run.id))
        return first, provider.propose(Request(text, "mbr.mlir", info, machine, 2.0, 1, history)), run

    first, later, _ = round_after(ACCEPT)
    assert later == []  # an accepted proposal: the tuner takes it from there
    first, later, run = round_after(REJECT)
    kept = [p.schedule for p in first]
    assert [p.schedule for p in later] == [n for n in found if n not in kept]  # the rest, best first
    # those rejected too: nothing new, the run ends
    for rec in store.add_candidates(run.id, later):
        store.set_verdict(run.id, rec.identity, REJECT)
    history = tuple(store.candidates(run.id))
    assert provider.propose(Request(text, "mbr.mlir", info, machine, 2.0, 2, history)) == []


def test_a_kernel_no_schedule_takes_ends_the_run_saying_what_it_is(tmp_path):
    """Nothing proposed at all (a prefix sum in scf loops MLIR will not jam, and whose inner bound is not a
    constant, so not raised to affine loops either): the stop reason says why, not only that the provider
    has nothing new."""
    from support.loop import quick_options
    from test_kernel_classes import PREFIX_SUM

    from neurojit.agent.run import tune

    path = tmp_path / "cumsum.mlir"
    path.write_text(PREFIX_SUM.replace("%cols = arith.constant 24 : index", (  # a count read from the data, at most 24
        "%c24 = arith.constant 24 : index\n    %f = memref.load %x[%c0, %c0] : memref<8x24xf32>\n"
        "    %k = arith.fptosi %f : f32 to i32\n    %n = arith.index_cast %k : i32 to index\n"
        "    %m = arith.maxsi %n, %c0 : index\n    %cols = arith.minsi %m, %c24 : index")))
    db = f"sqlite:///{tmp_path}/runs.db"
    s = tune(str(path), quick_options(db, "n1", 4), progress=None, provider=HeuristicProvider())
    assert s.candidates == 0
    reason = ResultStore(db).get_run("n1").stop_reason
    assert reason.startswith("the heuristic provider has nothing to propose: plain scf loops"), reason


def test_a_schedule_that_cannot_be_written_is_left_out_with_a_warning(monkeypatch):
    # a library bug on an unusual kernel (a 0-d fill once made the row reduction raise IndexError, and the
    # whole run crashed, left 'running'): the other schedules are still proposed, and the user is told
    import pytest

    from neurojit.agent.schedules import PackedMatmul

    text = (KERNELS / "matmul_bias_relu.mlir").read_text()
    info, machine = analyze(text), host().to_json()

    def broken(self, info, host):
        raise IndexError("list assignment index out of range")

    monkeypatch.setattr(model, "KEEP", 0.0)
    monkeypatch.setattr(PackedMatmul, "render", broken)
    with pytest.warns(UserWarning, match="schedule packed_matmul could not be written for @.*IndexError"):
        out = HeuristicProvider().propose(Request(text, "mbr.mlir", info, machine, 2.0, 0))
    assert out and "packed_matmul" not in [p.schedule for p in out]


def test_proposals_refused_for_approximated_math_come_back_with_the_math_library(tmp_path):
    # SiLU as x / (exp(-x) + y) (a sweep's kernel): the denominator cancels on some inputs and carries the
    # approximated exp's 2 ulp past the baseline's error; both proposals approximate exp and were refused, and
    # the run ended with nothing accepted. Refused for their results, they come back without the approximation
    from neurojit.agent.schedules.parts import without_approximation
    from neurojit.compiler.approx import MARK

    text = (KERNELS / "gelu.mlir").read_text()  # (an elementwise kernel with a tanh: the same proposals)
    info, machine = analyze(text), host().to_json()
    store = ResultStore(f"sqlite:///{tmp_path / 'runs.db'}")
    provider = HeuristicProvider()
    run = store.create_run(load_kernel(Source(text, "gelu.mlir")), model="heuristic", strategy="zero-shot")
    first = provider.propose(Request(text, "gelu.mlir", info, machine, 2.0, 0))
    approximating = [p for p in first if MARK in p.text]
    assert approximating
    wrong = Verdict("reject", Reason.WRONG_RESULT, "beyond the tolerance")
    for rec in store.add_candidates(run.id, first):
        store.set_verdict(run.id, rec.identity, wrong)
    later = provider.propose(Request(text, "gelu.mlir", info, machine, 2.0, 1, tuple(store.candidates(run.id))))
    libm = [p for p in later if p.schedule.endswith("+libm")]
    assert [p.schedule for p in libm] == [f"{p.schedule}+libm" for p in approximating]
    for p, q in zip(approximating, libm):
        assert MARK not in q.text and q.text == without_approximation(p.text) and q.knobs == p.knobs
        assert q.parent == p.identity and q.space  # tuned as the schedule is
    # once: refused again, they are not proposed a third time
    for rec in store.add_candidates(run.id, later):
        store.set_verdict(run.id, rec.identity, wrong)
    again = provider.propose(Request(text, "gelu.mlir", info, machine, 2.0, 2, tuple(store.candidates(run.id))))
    assert not [p for p in again if p.schedule.endswith("+libm")]


def test_a_refused_approximation_comes_back_with_the_math_library_beside_an_accepted_proposal(tmp_path):
    # GELU's tanh approximated: 1 + tanh(u) cancels for u << 0 and was refused on 'offset' data on some seeds, while
    # the naive loops split over the cores were accepted; where budget is left, the exact-math variant is tried
    from neurojit.compiler.approx import MARK

    text = (KERNELS / "gelu.mlir").read_text()
    info, machine = analyze(text), host().to_json()
    store = ResultStore(f"sqlite:///{tmp_path / 'runs.db'}")
    provider = HeuristicProvider()
    run = store.create_run(load_kernel(Source(text, "gelu.mlir")), model="heuristic", strategy="zero-shot")
    first = provider.propose(Request(text, "gelu.mlir", info, machine, 2.0, 0))
    assert any(MARK in p.text for p in first) and any(MARK not in p.text for p in first)
    wrong = Verdict("reject", Reason.WRONG_RESULT, "beyond the tolerance")
    for p, rec in zip(first, store.add_candidates(run.id, first)):
        store.set_verdict(run.id, rec.identity, wrong if MARK in p.text else ACCEPT)
    later = provider.propose(Request(text, "gelu.mlir", info, machine, 2.0, 1, tuple(store.candidates(run.id))))
    assert later and all(p.schedule.endswith("+libm") and MARK not in p.text for p in later)
