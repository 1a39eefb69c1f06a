"""Fixtures for every test: the examples, the CLI as a user runs it, a private PostgreSQL server."""

import contextlib
import io
import os
import pathlib
import subprocess
import sys

import pytest

from support.paths import EXAMPLES

# Timings are not what the tests check (benchmarks do that): each candidate's is capped at 0.3 s, not 3, and a
# run's final runoff at 0.5 s (the suite's CLI runs, in processes of their own, read them from the environment).
os.environ.setdefault("NEUROJIT_BENCH_CAP_S", "0.3")
os.environ.setdefault("NEUROJIT_RUNOFF_CAP_S", "0.5")
# A config without a seed draws a fresh one (no candidate can know its inputs); the suite pins one, so that a run
# repeats (test_inputs.py checks the fresh draw with this unset). Not 0: the corpus holds a table of seed 0's sets.
os.environ.setdefault("NEUROJIT_EVAL_SEED", "1")
from support.pg import fresh_postgres_url, postgres_server, postgres_url  # noqa: F401  (fixtures)


@pytest.fixture
def examples() -> pathlib.Path:
    """The repository's examples folder (kernels/, schedules/)."""
    return EXAMPLES


def run_cli(*args, timeout=300, cwd=None):
    """Run the installed CLI as a user would (a separate process)."""
    return subprocess.run([sys.executable, "-m", "neurojit", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd or os.getcwd())


@pytest.fixture
def cli():
    return run_cli


def call_cli(*args, **_):
    """`neurojit.cli.main` in this process, its output captured: for the errors the CLI tells before it runs
    anything (a fraction of a second instead of a process that imports MLIR; `cli` runs the installed one)."""
    from neurojit.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main([str(a) for a in args])
        except SystemExit as e:  # argparse's own usage errors
            rc = e.code if isinstance(e.code, int) else int(e.code is not None)
    return subprocess.CompletedProcess(args, rc, out.getvalue(), err.getvalue())


@pytest.fixture
def cli_main():
    return call_cli


@pytest.fixture(autouse=True)
def _trusted_kernels_compile_in_process(request, monkeypatch):
    """The suite's own kernels and schedules are lowered in this process without first surviving a child
    (`compiler/preflight.py`: a second lowering, in a new interpreter, per variant: about half of a compile;
    ~0.7 s per baseline an Evaluator or a tune is handed); should one abort MLIR, xdist reports the crash and
    restarts the worker. Tests of that isolation itself keep it: mark a test `isolated`. The installed CLI (a
    process of its own) keeps it, and the evaluator's workers parse candidates in their own processes anyway."""
    if "isolated" not in request.keywords:
        skip_preflight(monkeypatch)


def skip_preflight(monkeypatch) -> None:
    """`preflight` a no-op in this process: in its module and where it is imported by name."""
    for where in ("neurojit.compiler.preflight", "neurojit.evaluator.api", "neurojit.agent.run",
                  "neurojit.agent.export"):
        monkeypatch.setattr(f"{where}.preflight", lambda *_, **__: None)


@pytest.fixture(scope="module")
def trusted_baselines():
    """The same for a module-scoped fixture (set up before any function-scoped one): the adversarial corpus's."""
    with pytest.MonkeyPatch.context() as mp:
        skip_preflight(mp)
        yield


# The slowest files first: each file runs on one process (`--dist loadfile`), so a long file that starts last
# is the whole run's tail (longest first is the usual rule for two machines; the list: the files' wall times in
# one run of the suite on 2 cores). Within a file the order stays.
_SLOWEST_FIRST = ("agent/test_kernel_classes.py", "evaluator/adversarial/test_corpus.py", "compiler/test_front_doors.py",
                  "agent/test_schedules.py", "experiments/test_experiment.py", "cli/test_cli.py", "agent/test_loop.py",
                  "evaluator/test_dask.py", "experiments/test_resume.py", "cli/test_tune_suite.py",
                  "agent/test_llm_loop.py", "evaluator/test_fuzz.py", "agent/test_kill.py", "agent/test_rowwise.py",
                  "evaluator/test_reference.py", "agent/test_tuner_samplers.py", "agent/test_generic_schedule.py",
                  "compiler/test_examples.py", "agent/test_store.py", "evaluator/test_bench.py")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        path = item.nodeid.split("::")[0]
        return next((i for i, f in enumerate(_SLOWEST_FIRST) if path.endswith(f)), len(_SLOWEST_FIRST))

    items.sort(key=rank)
