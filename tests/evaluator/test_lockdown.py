"""The locked-down worker (evaluator/lockdown.py): forbidden calls fail inside it, evaluations still work."""

import pathlib

import pytest

from neurojit.evaluator import EvalConfig, Evaluator
from neurojit.evaluator.lockdown import Lockdown, Mechanism
from neurojit.evaluator.pool import Worker, WorkerPool

ROOT = pathlib.Path(__file__).resolve().parents[2]
BASE = ROOT / "examples" / "kernels" / "matmul_256.mlir"
TILE = (ROOT / "examples" / "schedules" / "tile_matmul.mlir").read_text()
OOB = ROOT / "tests" / "evaluator" / "adversarial" / "cases" / "50_reject_oob_write"
# what a sealed worker must not do; each is chosen so that the kernel alone would let it through (or answer
# ENOENT/ESRCH), so a refusal is the lockdown's
FORBIDDEN = ["socket_inet", "socket_unix", "ptrace_host", "process_vm_readv", "fork", "write_file", "write_proc_mem",
             "exec_missing", "exec", "kill_host", "clear_parent_death"]
ALLOWED = ["read_file", "signal_self", "thread_numpy"]


@pytest.fixture(scope="module")
def pool():
    config = EvalConfig(workers=1, bench=False, random_sets=1)
    with WorkerPool(config) as p:
        yield p


def test_forbidden_calls_fail_in_a_worker_that_still_evaluates(pool):
    ev = Evaluator(pool.config, pool=pool)
    first = ev.evaluate(BASE, TILE, {"ti": 32, "tj": 32, "tk": 32})
    assert first.accepted, first.detail
    worker = pool.workers[0]
    pid = worker.proc.pid
    reply = worker.exchange({"task": "probe"})
    assert reply.result is not None, f"the probe ended the worker: {reply.detail}"
    probe, state = reply.result["probe"], reply.result["lockdown"]
    assert {op: probe[op] for op in FORBIDDEN} == {op: "EPERM" for op in FORBIDDEN}
    assert {op: probe[op] for op in ALLOWED} == {op: "ok" for op in ALLOWED}
    assert state["sealed"] and {"seccomp", "no_new_privs"} <= set(state["applied"])
    again = ev.evaluate(BASE, TILE, {"ti": 16, "tj": 32, "tk": 8})
    assert again.accepted, again.detail
    assert worker.proc.pid == pid  # the same process, before and after the probe


def test_a_runtime_check_still_aborts_the_worker_as_unsafe_memory(pool):
    ev = Evaluator(pool.config, pool=pool)
    v = ev.evaluate(OOB / "base.mlir", OOB / "cand.mlir")
    assert (v.verdict.value, v.reason.value) == ("reject", "unsafe_memory"), v.detail


def test_the_probe_sees_everything_when_the_lockdown_is_off():
    worker = Worker(EvalConfig(workers=1, lockdown=False), None)
    try:
        reply = worker.exchange({"task": "probe", "exec": False})
    finally:
        worker.kill()
    probe = reply.result["probe"]
    assert probe["socket_inet"] == probe["write_file"] == probe["process_vm_readv"] == probe["fork"] == "ok"
    assert probe["exec_missing"] == "ENOENT" and probe["ptrace_host"] == "ESRCH"
    assert not reply.result["lockdown"]["applied"]


def test_the_start_up_line_names_what_is_missing():
    state = Lockdown(applied=((Mechanism.SECCOMP, "allowlist of 99 rules"),),
                     missing=((Mechanism.LANDLOCK, "the kernel has no Landlock"),))
    line = state.line()
    assert "\n" not in line and "seccomp: allowlist of 99 rules" in line
    assert "MISSING Landlock (the kernel has no Landlock)" in line


def test_a_worker_does_not_see_the_hosts_secrets(monkeypatch):
    # code that broke loose in a worker could print its environment into a verdict's detail
    monkeypatch.setenv("NEUROJIT_TEST_API_KEY", "s3cret")
    worker = Worker(EvalConfig(workers=1, lockdown=False), None)
    try:
        worker._start()
        env = worker.exchange({"task": "probe", "exec": False}).result["environment"]
    finally:
        worker.kill()
    assert "NEUROJIT_TEST_API_KEY" not in env
    assert "PATH" in env
