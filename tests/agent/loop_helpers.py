"""A fixed provider for loop tests (a tiling schedule with three knobs), and script entries to run in a
subprocess: `python loop_helpers.py KERNEL DB RUN_ID BUDGET` (a tune run) and
`python loop_helpers.py --study KERNEL URL NAME SEED TRIALS` (one tuner process on a shared study)."""

from __future__ import annotations

import pathlib
import sys

from neurojit.agent.proposal import Knob, Proposal
from neurojit.agent.provider import Provider

TILE = (pathlib.Path(__file__).resolve().parents[2] / "examples" / "schedules" / "tile_matmul.mlir").read_text()
SPACE = (Knob("ti", 2, 64, 2), Knob("tj", 2, 64, 2), Knob("tk", 2, 64, 2))


class TileProvider(Provider):
    name = "tile"
    one_shot = True  # proposes once, like the heuristic: tuning may use the whole budget

    def propose(self, request):
        if request.round:
            return []
        return [Proposal.of(TILE, self.name, "zero-shot", knobs={"ti": 16, "tj": 16, "tk": 16}, space=SPACE,
                            schedule="tile")]


def quick_options(db, run_id, budget, workers=1, seed=0):
    from neurojit.agent.budget import Budget
    from neurojit.agent.run import TuneOptions
    from neurojit.evaluator import EvalConfig

    return TuneOptions(budget=Budget(budget, 300), db=db, run_id=run_id, seed=seed,
                       evaluation=EvalConfig(workers=workers, seed=seed, bench_time_cap_s=0.3, random_sets=1))


def tune_study(kernel, url, name, seed, trials):
    from neurojit.agent import tuner
    from neurojit.evaluator import EvalConfig, Evaluator

    proposal = TileProvider().propose(type("R", (), {"round": 0})())[0]
    with Evaluator(EvalConfig(workers=1, bench_time_cap_s=0.3, random_sets=1)) as ev:
        def evaluate(props):
            return ev.evaluate_batch(kernel, [p.candidate for p in props])

        tuner.tune(proposal, evaluate, url=url, study_name=name, trials=trials, batch=1, seed=seed)


if __name__ == "__main__":
    if sys.argv[1] == "--study":
        kernel, url, name, seed, trials = sys.argv[2:7]
        tune_study(kernel, url, name, int(seed), int(trials))
    else:
        from neurojit.agent.run import tune

        kernel, db, run_id, budget = sys.argv[1:5]
        tune(kernel, quick_options(db, run_id, int(budget)), provider=TileProvider())
