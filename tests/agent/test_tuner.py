"""Two tuner processes on one Optuna study (SQLite file, private PostgreSQL server) share its trials."""

from __future__ import annotations

import subprocess
import sys

import optuna
import pytest
from support.loop import LOOP_SCRIPT
from support.paths import MATMUL

KERNEL = str(MATMUL)


def _two_processes(url: str, trials: int = 3) -> optuna.Study:
    procs = [subprocess.Popen([sys.executable, str(LOOP_SCRIPT), "--study", KERNEL, url, "shared",
                               str(seed), str(trials)], stderr=subprocess.PIPE, text=True)
             for seed in (1, 2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
    return optuna.load_study(study_name="shared", storage=url)


def _check(study: optuna.Study, trials: int = 3) -> None:
    finished = [t for t in study.trials if t.state.is_finished()]
    assert len(finished) == 2 * trials  # both processes' trials are in the one study
    assert len({t.user_attrs["process"] for t in finished}) == 2
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in finished), [t.user_attrs for t in finished]
    assert study.best_value > 1.0


@pytest.mark.slow
@pytest.mark.soak  # the same sharing as the PostgreSQL study below, which CI runs
def test_two_processes_share_a_sqlite_study(tmp_path):
    _check(_two_processes(f"sqlite:///{tmp_path}/study.db"))


@pytest.mark.slow
def test_two_processes_share_a_postgresql_study(fresh_postgres_url):
    _check(_two_processes(fresh_postgres_url))
