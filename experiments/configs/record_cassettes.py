"""Record the model cassettes of an experiment's replay cells from the tests' loopback Gemini server.

    .venv/bin/python experiments/configs/record_cassettes.py experiments/configs/offline.toml

Every cell whose model is `replay:FILE` is run once with a Gemini model (the real google-genai client)
whose API is tests/support/fake_gemini.py on 127.0.0.1, with the cell's kernel, strategy, sampler, seed,
budget and evaluator settings, in a scratch store; the exchanges of all those runs are then written to
FILE, one JSON line each (agent/llm/replay.py reads it). The server answers each run's requests in order:
  1. a module whose return does not parse (rejected, invalid_ir: what the repair strategy sends back),
  2. the schedule the heuristic provider writes for the kernel, knobs as ${name:default} (tuned from there),
  3. then that schedule again for every later request (nothing new: the tuner goes on from it).
Requests with the same hash must get the same answer in every run (they do: a zero-shot request is keyed by
strategy, kernel and round); the script stops if two runs disagree. Token counts are a real call's size.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))  # support.fake_gemini, the loopback server the tests use

from support.fake_gemini import FakeGemini, reply  # noqa: E402

from neurojit.agent.analyze import analyze  # noqa: E402
from neurojit.agent.budget import Budget  # noqa: E402
from neurojit.agent.run import TuneOptions, tune  # noqa: E402
from neurojit.agent.schedules import for_kernel  # noqa: E402
from neurojit.agent.store import ResultStore  # noqa: E402
from neurojit.compiler.host import host  # noqa: E402
from neurojit.experiments.config import load_experiment  # noqa: E402

MODEL = "gemini:gemini-2.5-flash"
TOKENS_IN, TOKENS_OUT = 3200, 1400  # about what a zero-shot prompt and a one-schedule answer take


def answers(kernel_path: str) -> tuple[str, str]:
    """(a broken module, a working schedule) for the kernel, as a model's JSON answers."""
    text = Path(kernel_path).read_text()
    head, sep, tail = text.rpartition("    return")
    broken = head + sep + " oops" + tail if sep else text + "\n oops"
    info = analyze(kernel_path)
    schedule = for_kernel(info, host())[0].text(info, host())

    def answer(code: str, kind: str, why: str) -> str:
        return json.dumps({"candidates": [{"kind": kind, "code": code, "rationale": why}]})

    return (answer(broken, "module", "return early: the loop nest is recomputed by the caller anyway"),
            answer(schedule, "schedule", "tile for the caches and vectorise the innermost loop"))


def main(config: str) -> int:
    exp = load_experiment(config)
    cells = [c for c in exp.cells if c.model.startswith("replay:")]
    if not cells:
        print(f"{config} has no replay cell; nothing to record")
        return 0
    recorded: dict[str, dict[str, dict]] = {}  # cassette: request hash: record
    os.environ["GEMINI_API_KEY"] = "loopback-not-a-key"
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/record.db"
        for n, cell in enumerate(cells, 1):
            broken, schedule = answers(cell.kernel_path)
            run_id = f"record-{n}"
            options = TuneOptions(model=MODEL, strategy=cell.strategy, sampler=cell.sampler, seed=cell.seed,
                                  budget=Budget(cell.budget, exp.time_limit), db=db, run_id=run_id,
                                  workers=exp.workers, evaluation=exp.eval_config(cell.seed))
            with FakeGemini() as fake:  # a fresh script for each run
                os.environ["GOOGLE_GEMINI_BASE_URL"] = fake.base_url
                fake.script(reply(broken, tokens_in=TOKENS_IN, tokens_out=TOKENS_OUT),
                            reply(schedule, tokens_in=TOKENS_IN, tokens_out=TOKENS_OUT),
                            then=reply(schedule, tokens_in=TOKENS_IN, tokens_out=TOKENS_OUT))
                s = tune(cell.kernel_path, options, progress=None)
            cassette = cell.model_arg.partition(":")[2]
            with ResultStore(db) as store:
                for e in store.exchanges(run_id):
                    rec = {"request_hash": e.request_hash, "model": e.model, "prompt": e.prompt,
                           "response": e.response, "tokens_in": e.tokens_in, "tokens_out": e.tokens_out}
                    have = recorded.setdefault(cassette, {}).get(e.request_hash)
                    if have is not None and have["response"] != e.response:
                        raise SystemExit(f"request {e.request_hash} got two different answers; the script above "
                                         "must answer a request the same way in every run")
                    recorded[cassette][e.request_hash] = rec
            print(f"cell {n}/{len(cells)} {cell.arm()} {cell.kernel} seed {cell.seed}: {s.candidates} candidates, "
                  f"stopped: {s.stop_reason}", flush=True)
    for cassette, records in recorded.items():
        Path(cassette).parent.mkdir(parents=True, exist_ok=True)
        with open(cassette, "w") as f:
            for rec in sorted(records.values(), key=lambda r: r["request_hash"]):
                f.write(json.dumps(rec) + "\n")
        print(f"wrote {len(records)} exchanges to {cassette}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).with_name("offline.toml"))))
