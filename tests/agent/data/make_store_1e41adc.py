"""Writes a results store with the code of commit 1e41adc (before the Candidate record), for the
store-compatibility test: a heuristic tune run, plus a model answer stored under the wrong kind (the bug)."""
import pathlib, subprocess, sys
from neurojit.agent.store import ResultStore, CandidateKind
from neurojit.agent.proposal import identity
from neurojit.evaluator import Evaluator, EvalConfig

ROOT = pathlib.Path(sys.argv[1])
db = pathlib.Path(sys.argv[2]).resolve()
k = ROOT / "examples/kernels/row_sum.mlir"
subprocess.run([sys.executable, "-m", "neurojit", "tune", str(k), "--budget", "3", "--db", f"sqlite:///{db}",
                "--run-id", "legacy-tune", "--workers", "1"], check=True)
store = ResultStore(f"sqlite:///{db}")
text = k.read_text()
run = store.create_run("row_sum.mlir", text, model="gemini:legacy", strategy="zero-shot",
                       kernel_hash=store.get_run("legacy-tune").kernel_hash, run_id="legacy-llm")
module = text.replace("// out[i]", "// a full replacement module (declared a schedule by the model)\n// out[i]")
ident = identity(module)
store.add_candidate(run.id, ident, module, kind=CandidateKind.SCHEDULE, provider="gemini:legacy",
                    strategy="zero-shot")
with Evaluator(EvalConfig(workers=1)) as ev:
    v = ev.evaluate(str(k), module)
print(v.verdict, v.reason, v.speedup)
store.set_verdict(run.id, ident, v)
store.set_baseline(run.id, v.baseline_ms)
