"""`neurojit tune` with the flags of issue 18 (`--model` several times, `--base-url`, `--ensemble`,
`--evaluator`): mistakes are one line on stderr and exit 2, before anything runs."""

from __future__ import annotations

import pytest
from support.paths import MATMUL


def _one_line_error(r, text: str) -> None:
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], r.stderr


@pytest.mark.slow  # four runs of the CLI (in this process)
def test_model_flag_mistakes_are_usage_errors(cli_main, tmp_path):
    db = f"sqlite:///{tmp_path}/r.db"
    local = "http://127.0.0.1:9/v1"  # nothing listens: none of these gets as far as asking
    r = cli_main("tune", MATMUL, "--model", f"openai:a@{local}", "--model", f"openai:b@{local}", "--ensemble", "greedy",
            "--db", db, timeout=120)
    _one_line_error(r, "unknown --ensemble 'greedy'; choose weights or bandit")
    r = cli_main("tune", MATMUL, "--model", "openai", "--base-url", local, "--db", db, timeout=120)
    _one_line_error(r, "--model openai needs the model's name")
    r = cli_main("tune", MATMUL, "--model", "heuristic", "--model", f"openai:a@{local}", "--db", db, timeout=120)
    _one_line_error(r, "an ensemble mixes models of gemini and openai only")
    r = cli_main("tune", MATMUL, "--evaluator", "10.0.0.1:8786", "--db", db, timeout=120)
    _one_line_error(r, "give the Dask scheduler as dask://HOST:PORT")
