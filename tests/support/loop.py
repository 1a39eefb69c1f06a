"""What the loop tests share: the kernel and a tiling schedule with three knobs, a fixed provider, model
answers as the Gemini tests script them, quick run options; and script entries to run in a subprocess:
`python loop.py KERNEL DB RUN_ID BUDGET` (a tune run) and `python loop.py --study KERNEL URL NAME SEED TRIALS`
(one tuner process on a shared study). A script run imports only neurojit, so it needs no test path."""

from __future__ import annotations

import json
import pathlib
import sys

from neurojit.agent.proposal import Knob, Proposal
from neurojit.agent.provider import Provider

LOOP_SCRIPT = pathlib.Path(__file__).resolve()
_EXAMPLES = LOOP_SCRIPT.parents[2] / "examples"  # as support.paths has it (not imported: this runs as a script)
KERNEL = str(_EXAMPLES / "kernels" / "matmul_127x255x63.mlir")
TILE = (_EXAMPLES / "schedules" / "tile_matmul.mlir").read_text()
BROKEN = "module {\n  func.func @matmul(%A: memref<127x63xf32>) {\n    return oops\n  }\n}"
SPACE = (Knob("ti", 2, 64, 2), Knob("tj", 2, 64, 2), Knob("tk", 2, 64, 2))


class TileProvider(Provider):
    name = "tile"
    one_shot = True  # proposes once, like the heuristic: tuning may use the whole budget

    def propose(self, request):
        if request.round:
            return []
        return [Proposal.of(TILE, self.name, "zero-shot", knobs={"ti": 16, "tj": 16, "tk": 16}, space=SPACE,
                            schedule="tile")]


def answer(code: str, kind: str = "schedule", rationale: str = "tile for the caches") -> str:
    """A model's answer holding one candidate, in the JSON shape we ask for."""
    return json.dumps({"candidates": [{"kind": kind, "code": code, "rationale": rationale}]})


def options(tmp_path, run_id, budget, strategy="zero-shot", model="gemini:gemini-3-pro-preview", record=None):
    """Options of a quick model-driven run recorded in tmp_path/r.db."""
    from neurojit.agent.budget import Budget
    from neurojit.agent.run import TuneOptions
    from neurojit.evaluator import EvalConfig

    return TuneOptions(model=model, strategy=strategy, budget=Budget(budget, 300), db=f"sqlite:///{tmp_path}/r.db",
                       run_id=run_id, record=record,
                       evaluation=EvalConfig(workers=1, bench_time_cap_s=0.3, random_sets=1))


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
