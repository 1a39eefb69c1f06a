"""The search loop as a LangGraph graph: analyze -> propose -> evaluate -> tune -> select -> (propose | runoff ->
end). The runoff times the few best accepted candidates against each other before the run names its best
(agent/runoff.py).

The state holds only plain data (proposals as JSON, the round, the stop reason); the working parts live in
a `Session` that each node closes over. A SQLite checkpointer saves the state after every node, so a run
killed at any point resumes at the node that was in flight; nodes are idempotent because the session reuses
every verdict already stored (see session.py).
"""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph

from neurojit.compiler.errors import NeuroJITError
from neurojit.compiler.host import host
from neurojit.compiler.source import Source

from . import tuner
from .proposal import Proposal
from .provider import Request
from .session import Session
from .store import CandidateRecord

TOP_K = 2  # how many of the best accepted schedules get tuned each round
TUNE_PER_ROUND = 6  # tuning trials per round for providers that keep proposing (all that is left otherwise)


class LoopState(TypedDict, total=False):
    round: int
    proposals: list[dict]
    tuned: Annotated[list[str], operator.add]
    stop: str | None
    seen: int  # candidates in the store at the last select: a round that adds none ends the run
    mark: int  # candidates in the store when this round's propose (then evaluate) finished
    ahead: list  # [proposal identity, n]: the tuner's first n trials of it, evaluated beside the proposals
    room: int | None  # evaluations the time limit left when evaluate finished (None: no bound): the tune shares


def history(session: Session, run_id: str) -> tuple[CandidateRecord, ...]:
    """A run's candidates, in the order they were proposed."""
    return tuple(session.store.candidates(run_id))


def examples(session: Session, run, limit: int = 5) -> tuple[CandidateRecord, ...]:
    """Verified candidates from earlier runs of the same kernel (or a kernel of the same name), best first."""
    found = []
    for other in session.store.runs():
        if other.id != run.id and (other.kernel_hash == run.kernel_hash or other.kernel_name == run.kernel_name):
            found += [c for c in history(session, other.id) if c.verdict and c.verdict.accepted and c.verdict.speedup]
    found.sort(key=lambda c: -c.verdict.speedup)
    return tuple(found[:limit])


def _room(session: Session, until: int) -> int:
    """How many more evaluations the tuner may start: up to `until` candidates in the store, none once the run
    should stop, and no more than are expected to end within the time limit."""
    if session.stop_reason() is not None:
        return 0
    room = until - session.spent()
    by_time = session.time_room()
    return room if by_time is None else min(room, by_time)


def _study(session: Session, p: Proposal) -> str:
    return f"{session.run_id}/{p.schedule or p.candidate.with_knobs({}).identity}"


def _ahead(session: Session, props: list[Proposal], state: LoopState) -> tuple[Proposal | None, list[Proposal]]:
    """The tuner's first trials of the proposal it will most likely tune first (the first with knobs), as many
    as the proposals leave workers idle and the budget allows, to be evaluated beside them: a one-shot provider
    proposes one schedule for a matmul, whose evaluation (with the baseline's references, ~60 s at 1024) then
    ran alone. The trials are the ones the tuner suggests first from an empty study (tuner.first_trials), so it
    finds their verdicts stored; where it tunes another proposal first, they are candidates like any other."""
    first = next((p for p in props if p.space), None)
    if first is None or not session.provider.one_shot or state.get("round", 0) != 0:
        return None, []
    n = min(session.evaluator.config.pool_size() - len(props),
            session.budget.remaining_candidates(state.get("mark", 0)) - len(props))
    room = session.time_room()
    n = n if room is None else min(n, room - len(props))
    if n <= 0:
        return None, []
    return first, tuner.first_trials(first, n, url=session.db_url, study_name=_study(session, first),
                                     seed=session.seed, sampler=session.sampler)


def build(session: Session, checkpointer=None):
    """The compiled graph for one run; `invoke(..., {"configurable": {"thread_id": run_id}})`."""
    kernel = session.kernel
    info_box: dict = {}

    def analyze(state: LoopState) -> dict:
        from .analyze import analyze as analyze_kernel

        info_box["info"] = analyze_kernel(Source(kernel.source or kernel.text, kernel.origin))
        return {"round": state.get("round", 0)}

    def propose(state: LoopState) -> dict:
        if "info" not in info_box:  # resumed past analyze
            analyze(state)
        run = session.store.get_run(session.run_id)
        machine = dict(host().to_json(), cores=session.threads or host().cores)  # the run's --threads
        req = Request(kernel.source or kernel.text, kernel.origin, info_box["info"], machine, run.baseline_ms,
                      state.get("round", 0), history(session, session.run_id), examples(session, run))
        mark = session.store.summary(session.run_id).candidates
        try:
            proposals = session.provider.propose(req)
        except NeuroJITError as e:  # a model that stays unavailable ends the run cleanly (resumable)
            return {"proposals": [], "stop": f"the model failed: {e}", "mark": mark}
        return {"proposals": [p.to_json() for p in proposals], "mark": mark}

    # Budget shares are worked out from the counts saved in the state (`mark`), never from the store's count
    # at the moment a node starts: a node re-run after a kill then makes the same choices as the first run.
    def evaluate(state: LoopState) -> dict:
        props = [Proposal.from_json(d) for d in state.get("proposals", [])]
        props = props[:session.budget.remaining_candidates(state.get("mark", 0))]
        recorded = all(session.store.candidate(session.run_id, p.identity) for p in props)
        if not recorded:  # no more than are expected to end within the time limit (session.py)
            room = session.time_room()
            props = props if room is None else props[:room]
        first, ahead = _ahead(session, props, state) if props else (None, [])
        if props and (recorded or session.stop_reason() is None):  # recorded ones are finished, budget or not
            session.evaluate(props + ahead)
        # what the time limit leaves for tuning, saved like `mark`: the tune node's shares come from it
        return {"mark": session.store.summary(session.run_id).candidates,
                "ahead": [first.identity, len(ahead)] if first is not None and ahead else [],
                "room": session.time_room()}

    def tune(state: LoopState) -> dict:
        props = [Proposal.from_json(d) for d in state.get("proposals", [])]
        scored = []
        for p in props:
            rec = session.store.candidate(session.run_id, p.identity)
            if p.space and rec is not None and rec.accepted and rec.speedup:
                scored.append((rec.speedup, p))
        scored.sort(key=lambda x: -x[0])
        done = []
        chosen = scored[:TOP_K]
        base = state.get("mark", 0)
        left = session.budget.remaining_candidates(base)
        if not session.provider.one_shot:
            left = min(left, TUNE_PER_ROUND)  # leave budget for the model's later rounds
        # the first's share is of what the time limit leaves, where that is less (a 120 s run with no cap on
        # candidates gave the first of two schedules all its time); the last takes what is left either way
        room = state.get("room")
        shared = left if room is None else min(left, room)
        until = base
        ahead = state.get("ahead") or [None, 0]
        for i, (_, p) in enumerate(chosen):
            # the first gets 60% of this round's tuning budget, the last whatever the others left
            until = base + left if i == len(chosen) - 1 else until + max(1, int(shared * 0.6))
            # called even when the budget is spent: the tuner first runs again the trials a kill left unwritten
            name = _study(session, p)
            tuner.tune(p, session.evaluate, url=session.db_url, study_name=name, trials=4 * (until - base) + 16,
                       batch=session.evaluator.config.pool_size(), seed=session.seed, sampler=session.sampler,
                       tag=f"round {state.get('round', 0)}", room=lambda until=until: _room(session, until),
                       ahead=ahead[1] if ahead[0] == p.identity else 0)
            done.append(name)
        return {"tuned": done}

    def select(state: LoopState) -> dict:
        reason = session.stop_reason() or state.get("stop")
        seen = session.store.summary(session.run_id).candidates
        if reason is None and (not state.get("proposals") or seen == state.get("seen")):
            reason = f"the {session.provider.name} provider has nothing new to propose"
            why = getattr(session.provider, "why_nothing", None)
            if not seen and why is not None and "info" in info_box:  # nothing at all: say what the kernel is
                reason = f"the {session.provider.name} provider has nothing to propose: {why(info_box['info'])}"
        return {"stop": reason, "round": state.get("round", 0) + 1, "seen": seen}

    def final(state: LoopState) -> dict:
        session.runoff()
        return {}

    g = StateGraph(LoopState)
    for name, fn in (("analyze", analyze), ("propose", propose), ("evaluate", evaluate), ("tune", tune),
                     ("select", select), ("runoff", final)):
        g.add_node(name, fn)
    g.add_edge(START, "analyze")
    g.add_edge("analyze", "propose")
    g.add_edge("propose", "evaluate")
    g.add_edge("evaluate", "tune")
    g.add_edge("tune", "select")
    g.add_conditional_edges("select", lambda s: "runoff" if s.get("stop") else "propose")
    g.add_edge("runoff", END)
    return g.compile(checkpointer=checkpointer)
