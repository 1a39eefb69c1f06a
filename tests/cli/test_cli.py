"""The CLI contract (DESIGN §3) for `run` and `export`, and its errors: one sentence, exit 2, no traceback."""

import json

import pytest

from support.paths import KERNELS


def test_run_json_fields(cli):
    p = cli("run", KERNELS / "matmul_127x255x63.mlir", "--json", "--repeat", "3")
    assert p.returncode == 0, p.stderr
    j = json.loads(p.stdout.strip().splitlines()[-1])
    for field in ("kernel", "shapes", "compile_ms", "median_ms", "iqr_ms", "gflops"):
        assert field in j
    assert j["shapes"] == {"A": [127, 63], "B": [63, 255], "C": [127, 255]}
    assert j["median_ms"] > 0 and j["gflops"] > 0
    assert j["flops"] == 2 * 127 * 255 * 63


def test_run_human_output(cli):
    p = cli("run", KERNELS / "row_sum.mlir", "--repeat", "2")
    assert p.returncode == 0 and "median" in p.stdout and "@row_sum" in p.stdout


def test_run_gives_a_divisor_no_zeros_and_a_kernel_that_always_traps_a_sentence(cli_main, tmp_path):
    # integer inputs that index nothing were zeros: `neurojit run` of a division kernel died of SIGFPE
    body = """#id = affine_map<(i) -> (i)>
func.func @div(%a: memref<64xi32>, %b: memref<64xi32>, %q: memref<64xi32> {neurojit.output}) {
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
    ins(%a, %b : memref<64xi32>, memref<64xi32>) outs(%q : memref<64xi32>) {
  ^bb0(%x: i32, %y: i32, %o: i32):
    DIVISOR
    %d = arith.divsi %x, %z : i32
    linalg.yield %d : i32
  }
  return
}"""
    (tmp_path / "div.mlir").write_text(body.replace("DIVISOR", "%z = arith.addi %y, %y : i32"))
    p = cli_main("run", tmp_path / "div.mlir", "--repeat", "2", "--json")
    assert p.returncode == 0 and json.loads(p.stdout)["median_ms"] > 0, p.stderr
    # bit 4 of b: 0 for every fill the run tries (0, 1..8, 1)
    (tmp_path / "never.mlir").write_text(body.replace(
        "DIVISOR", "%c16 = arith.constant 16 : i32\n    %z = arith.andi %y, %c16 : i32"))
    p = cli_main("run", tmp_path / "never.mlir", "--repeat", "2")
    assert p.returncode == 2 and "signal SIGFPE" in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_export_cli(cli, tmp_path):
    p = cli("export", KERNELS / "row_sum.mlir", "--out", tmp_path / "x")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "x" / "libkernel.so").exists()


BAD = {
    "syntax.mlir": ("func.func @f(%a: memref<4xf32>) {\n  %x = arith.addf %a, %a : f32\n  return\n}\n", "syntax.mlir:2:19"),
    "prose.mlir": ("This is not MLIR at all.\n", "prose.mlir:1:1"),
    "two.mlir": ("func.func @f(%a: memref<4xf32>) {\n return\n}\nfunc.func @g(%a: memref<4xf32>) {\n return\n}\n", "2 public functions"),
    "none.mlir": ("module {\n}\n", "no public func.func"),
    "dyn.mlir": ("func.func @f(%a: memref<?x4xf32>) {\n return\n}\n", "dynamic shape"),
    "f128.mlir": ("func.func @f(%a: memref<4xf128>) {\n return\n}\n", "unsupported element type"),
}


@pytest.mark.parametrize("name", sorted(BAD))
@pytest.mark.parametrize("command", ["run", "export"])
def test_bad_kernels_exit_2_with_one_sentence(cli_main, tmp_path, name, command):
    text, words = BAD[name]
    path = tmp_path / name
    path.write_text(text)
    extra = ["--out", tmp_path / "o"] if command == "export" else []
    p = cli_main(command, path, *extra)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    assert words in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_missing_file_and_usage_errors(cli, tmp_path):
    p = cli("run", tmp_path / "missing.mlir")
    assert p.returncode == 2 and "no such file" in p.stderr and "Traceback" not in p.stderr
    p = cli("run", KERNELS / "row_sum.mlir", "--repeat", "0")
    assert p.returncode == 2
    p = cli("frobnicate")
    assert p.returncode == 2


def test_evaluate_contract(cli, tmp_path):
    k = KERNELS / "row_sum.mlir"
    p = cli("evaluate", k, k, "--json")
    assert p.returncode == 0, p.stderr
    j = json.loads(p.stdout.strip().splitlines()[-1])
    for field in ("verdict", "reason", "detail", "baseline_ms", "candidate_ms", "speedup", "max_abs_err",
                  "max_rel_err", "checks"):
        assert field in j
    assert j["verdict"] == "accept" and j["reason"] == "ok"
    bad = tmp_path / "bad.mlir"
    bad.write_text(k.read_text().replace("arith.addf", "arith.subf"))
    p = cli("evaluate", k, bad)
    assert p.returncode == 1 and "REJECT (wrong_result)" in p.stdout
    p = cli("evaluate", k, tmp_path / "missing.mlir", "--json")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    p = cli("evaluate", tmp_path / "missing.mlir", k)
    assert p.returncode == 2 and "Traceback" not in p.stderr


@pytest.mark.slow
def test_tune_and_export_from_the_store(cli, tmp_path):
    db = f"sqlite:///{tmp_path}/runs.db"
    p = cli("tune", KERNELS / "matmul_127x255x63.mlir", "--budget", "3", "--db", db, "--run-id", "c", "--json")
    assert p.returncode == 0, p.stderr
    j = json.loads(p.stdout.strip().splitlines()[-1])
    for field in ("run_id", "status", "baseline_ms", "best_ms", "speedup", "candidates", "accepted", "rejected",
                  "tokens", "cost_usd"):
        assert field in j
    assert j["run_id"] == "c" and j["status"] == "finished" and j["candidates"] == 3
    assert j["stop_reason"].startswith("candidate budget reached")
    assert j["accepted"] >= 1 and j["speedup"] > 1.0
    assert "accepted" in p.stderr  # live progress lines
    p = cli("export", "--db", db, "--run-id", "c", "--out", tmp_path / "best")
    assert p.returncode == 0, p.stderr
    manifest = json.loads((tmp_path / "best" / "manifest.json").read_text())
    assert manifest["run_id"] == "c" and manifest["speedup"] == j["speedup"] and manifest["knobs"]
    # the script as it ran holds the tuned values, not the template's defaults
    applied = manifest["schedule_applied"]
    assert "${" not in applied and "selected" not in manifest["schedule"]
    assert all(f"selected = {v}" in applied or "${" + k in manifest["schedule"] for k, v in manifest["knobs"].items())
    assert (tmp_path / "best" / "libkernel.so").exists()



def test_a_tune_with_nothing_accepted_says_so_and_offers_no_export(cli_main, tmp_path):
    k = tmp_path / "one.mlir"  # one element copied: no linalg op and no loop, so nothing to propose
    k.write_text("""module {
  func.func @one(%x: memref<1xf32>, %out: memref<1xf32>) {
    %c0 = arith.constant 0 : index
    %v = memref.load %x[%c0] : memref<1xf32>
    memref.store %v, %out[%c0] : memref<1xf32>
    return
  }
}
""")
    p = cli_main("tune", k, "--budget", "2", "--db", f"sqlite:///{tmp_path}/runs.db")
    assert p.returncode == 0, p.stderr
    assert "no accepted candidate" in p.stdout and "nothing to propose" in p.stdout
    assert "neurojit export" not in p.stdout  # a run with no best has nothing to export

@pytest.mark.slow
def test_tune_and_export_usage_errors(cli_main, tmp_path):
    db = f"sqlite:///{tmp_path}/runs.db"
    k = KERNELS / "row_sum.mlir"
    for args, words in ((("--model", "gemini"), "gemini"), (("--model", "nope"), "unknown --model"),
                        (("--budget", "0"), "--budget")):
        p = cli_main("tune", k, "--db", db, *args)
        assert p.returncode == 2 and words in p.stderr and "Traceback" not in p.stderr, p.stderr
        assert len(p.stderr.strip().splitlines()) == 1
    p = cli_main("export", "--db", db, "--run-id", "missing", "--out", tmp_path / "o")
    assert p.returncode == 2 and "no run missing" in p.stderr and "Traceback" not in p.stderr
    p = cli_main("tune", k, "--db", "postgresql://u:secret@127.0.0.1:1/x", "--budget", "1")
    assert p.returncode == 2 and "secret" not in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_export_refuses_a_run_whose_best_is_slower_than_the_baseline(cli_main, tmp_path):
    from neurojit.agent.proposal import Proposal
    from neurojit.agent.store import ResultStore
    from neurojit.compiler import load_kernel
    from neurojit.evaluator import Reason, Verdict

    db = f"sqlite:///{tmp_path}/runs.db"
    store = ResultStore(db)
    kernel = load_kernel(KERNELS / "row_sum.mlir")
    run = store.create_run(kernel, model="heuristic", strategy="zero-shot", run_id="slow")
    p = Proposal.of(kernel.source, "heuristic", "zero-shot")
    store.add_candidate(run.id, p)
    store.set_verdict(run.id, p.identity, Verdict("accept", Reason.OK, "correct", baseline_ms=1.0, candidate_ms=1.2,
                                                  speedup=1 / 1.2))
    p = cli_main("export", "--db", db, "--run-id", "slow", "--out", tmp_path / "o")
    assert p.returncode == 2 and "no variant faster than the baseline" in p.stderr and "0.83x" in p.stderr
    assert "Traceback" not in p.stderr and not (tmp_path / "o").exists()


def test_a_tune_whose_best_is_slower_than_the_baseline_does_not_offer_its_export():
    from neurojit.agent.tables import RunStatus, RunSummary
    from neurojit.cli import _export_hint

    def summary(speedup):
        return RunSummary("r1", RunStatus.FINISHED, 1.0, 1.0 / speedup if speedup else None, speedup, 4,
                          4 if speedup else 0, {}, 0, 0, 0.0)

    assert _export_hint(summary(2.5), "sqlite:///x.db") == ["export it: neurojit export --db sqlite:///x.db "
                                                             "--run-id r1 --out DIR"]
    slower = _export_hint(summary(0.96), "sqlite:///x.db")
    assert len(slower) == 1 and "no candidate beat the baseline (best 0.96x)" in slower[0]
    assert not slower[0].startswith("export it")  # the export itself refuses such a run (the test above)
    assert _export_hint(summary(None), "sqlite:///x.db") == []


SCRATCH = """module {{
  func.func @addmul(%x: memref<64xf32>, %t: memref<64xf32>{mark}, %out: memref<64xf32>{mark}) {{
    linalg.add ins(%x, %x : memref<64xf32>, memref<64xf32>) outs(%t : memref<64xf32>)
    linalg.mul ins(%t, %x : memref<64xf32>, memref<64xf32>) outs(%out : memref<64xf32>)
    return
  }}
}}
"""


def test_a_kernel_that_writes_an_input_is_a_usage_error_before_any_run(cli, cli_main, tmp_path):
    """%t is written but not marked an output: every candidate would be refused for writing an input, so tune
    and evaluate say so first, with the line, the argument and the fix (and run: it timed the written argument as
    an input, marking the read-only one the output); marked, it tunes."""
    bad, good = tmp_path / "scratch.mlir", tmp_path / "marked.mlir"
    bad.write_text(SCRATCH.format(mark=""))
    good.write_text(SCRATCH.format(mark=" {neurojit.output}"))
    db = f"sqlite:///{tmp_path}/r.db"
    for args in (("tune", bad, "--budget", "1", "--db", db), ("evaluate", bad, good), ("run", bad)):
        p = cli_main(*args)
        assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
        assert "scratch.mlir, line 3:5: @addmul writes its argument %t (linalg.add)" in p.stderr
        assert "mark %t {neurojit.output}" in p.stderr
    assert not (tmp_path / "r.db").exists()  # refused before a run (or its store) was created
    p = cli("tune", good, "--budget", "1", "--db", db, "--json")
    assert p.returncode == 0, p.stderr


def test_a_kernel_of_dynamic_shape_is_told_the_shape_option_and_runs_with_it(cli_main, tmp_path):
    k = tmp_path / "dyn.mlir"
    k.write_text("""func.func @add(%a: memref<?x16xf32>, %b: memref<?x16xf32>, %c: memref<?x16xf32>) {
  linalg.add ins(%a, %b : memref<?x16xf32>, memref<?x16xf32>) outs(%c : memref<?x16xf32>)
  return
}""")
    p = cli_main("run", k)
    assert p.returncode == 2 and "--shape a=Nx16" in p.stderr, p.stderr
    p = cli_main("run", k, "--shape", "a=8x16", "--shape", "b=8x16", "--shape", "c=8x16", "--json", "--repeat", "2")
    assert p.returncode == 0, p.stderr
    j = json.loads(p.stdout)
    assert j["kernel"] == str(k) and j["shapes"] == {"a": [8, 16], "b": [8, 16], "c": [8, 16]}
    p = cli_main("run", k, "--shape", "a=8x15", "--shape", "b=8x16", "--shape", "c=8x16")
    assert p.returncode == 2 and "does not fit its type" in p.stderr and "Traceback" not in p.stderr
    p = cli_main("run", k, "--shape", "a=8by16")
    assert p.returncode == 2 and "write ARG=SIZExSIZE" in p.stderr
    p = cli_main("tune", k, k, "--shape", "a=8x16")
    assert p.returncode == 2 and "one at a time" in p.stderr
