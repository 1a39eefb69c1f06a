import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
KERNELS = ROOT / "examples" / "kernels"


@pytest.fixture
def kernels_dir() -> pathlib.Path:
    return KERNELS


def run_cli(*args, timeout=300, cwd=None):
    """Run the installed CLI as a user would (a separate process)."""
    return subprocess.run([sys.executable, "-m", "neurojit", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd or os.getcwd())


@pytest.fixture
def cli():
    return run_cli

# The private PostgreSQL server fixtures (tests/pg.py), for the store and tuner tests.
from pg import fresh_postgres_url, postgres_server, postgres_url  # noqa: E402,F401
