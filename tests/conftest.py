"""Fixtures for every test: the examples, the CLI as a user runs it, a private PostgreSQL server."""

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


# The slowest files first: each file runs on one process (`--dist loadfile`), so a long file that starts last
# is the whole run's tail (longest first is the usual rule for two machines). Within a file the order stays.
_SLOWEST_FIRST = ("evaluator/adversarial/test_corpus.py", "cli/test_tune_suite.py", "agent/test_kernel_classes.py",
                  "cli/test_cli.py", "compiler/test_front_doors.py", "experiments/test_experiment.py",
                  "agent/test_deterministic_resume.py", "agent/test_schedules.py", "evaluator/test_dask.py",
                  "agent/test_kill.py", "evaluator/test_fuzz.py")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        path = item.nodeid.split("::")[0]
        return next((i for i, f in enumerate(_SLOWEST_FIRST) if path.endswith(f)), len(_SLOWEST_FIRST))

    items.sort(key=rank)
