"""A worker's parallel kernels wait for their tasks by spinning only while it times (evaluator/worker.py `spin`):
between timings every thread of the worker shares one core, where a spinning wait only delays the task it waits
for."""

import io
import json
import sys

import pytest

from neurojit.compiler import runtime
from neurojit.evaluator.worker import Session


def _spin_now() -> int:
    """The runtime's spin setting, in microseconds (set to 0 and back)."""
    v = runtime.set_spin(0)
    runtime.set_spin(v)
    return v


def test_the_spin_is_set_at_run_time_and_restored():
    if runtime.set_spin(None) is None:
        pytest.skip("MLIR's async runtime in use (no C compiler): it sleeps at once")
    default = runtime.set_spin(None)
    try:
        assert runtime.set_spin(0) == default
        assert runtime.set_spin(123) == 0
        assert runtime.set_spin(None) == 123
        assert _spin_now() == default
    finally:
        runtime.set_spin(None)


def test_a_worker_spins_under_a_lease_and_not_between(monkeypatch):
    if runtime.set_spin(None) is None:
        pytest.skip("MLIR's async runtime in use (no C compiler): it sleeps at once")
    monkeypatch.delenv("NEUROJIT_SPIN_US", raising=False)
    default = _spin_now()
    assert default > 0
    session = Session(io.StringIO())
    try:
        session.spin(False)  # as the worker starts: untimed work first
        assert _spin_now() == 0
        session.stage("equivalence", 1.0)
        assert _spin_now() == 0
        monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"granted": [0, 1]}) + "\n"))
        assert session.lease(2) == [0, 1]  # timed from here: the waits spin as in the exported library
        assert _spin_now() == default
        session.stage("next", 1.0)  # the host ends the lease at the next stage
        assert _spin_now() == 0
    finally:
        runtime.set_spin(None)
