"""A parallel candidate is timed alone on its cores: the pool's gate stops the other workers and widens the
timed worker's affinity, then puts everything back; parallel candidates are accepted end to end."""

import dataclasses
import os
import sys
import subprocess
import threading
import time

import pytest

from support.paths import KERNELS

from neurojit.agent.analyze import analyze
from neurojit.agent.schedules import PackedMatmul
from neurojit.compiler import host
from neurojit.compiler.source import read_source
from neurojit.evaluator import EvalConfig, Evaluator
from neurojit.evaluator.pool import Gate, Worker

ODD = KERNELS / "matmul_127x255x63.mlir"
THREADS = "import threading, time\nfor _ in range(2): threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\ntime.sleep(60)"


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def _wait_state(pid: int, want: str, timeout: float = 5.0) -> str:
    end = time.monotonic() + timeout
    while (s := _state(pid)) != want and time.monotonic() < end:
        time.sleep(0.01)
    return s


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_gate_stops_the_others_and_widens_the_timed_worker():
    cores = sorted(os.sched_getaffinity(0))
    gate = Gate(cores)
    workers = [Worker(EvalConfig(), cores[i], gate) for i in range(2)]
    gate.workers = workers
    reference = Worker(EvalConfig(), None)  # the pool's reference process: never times, stopped all the same
    gate.bystanders = [reference]
    try:
        reference.proc = subprocess.Popen(["sleep", "60"], start_new_session=True)
        for w in workers:  # real processes with two threads besides the main one (as a runtime's pool), in
            w.proc = subprocess.Popen([sys.executable, "-c", THREADS], start_new_session=True)  # sessions of
            os.sched_setaffinity(w.proc.pid, {w.core})  # their own, pinned as the pool pins its workers
        timed, other = workers
        end = time.monotonic() + 10
        while len(os.listdir(f"/proc/{timed.proc.pid}/task")) < 3 and time.monotonic() < end:
            time.sleep(0.01)
        granted = gate.acquire(timed, 2)
        assert granted[0] == timed.core and len(granted) == 2
        # the main thread keeps its core, the others are spread over the rest: tasks on distinct cores
        masks = {int(t): os.sched_getaffinity(int(t)) for t in os.listdir(f"/proc/{timed.proc.pid}/task")}
        assert masks.pop(timed.proc.pid) == {timed.core}
        assert len(masks) == 2 and all(m == {granted[1]} for m in masks.values()), masks
        assert _wait_state(other.proc.pid, "T") == "T"  # stopped while the other is timed
        assert _wait_state(reference.proc.pid, "T") == "T"
        paused_at = other._paused()
        time.sleep(0.05)
        assert other._paused() > paused_at  # its deadline does not run meanwhile
        gate.release(timed)
        assert all(os.sched_getaffinity(int(t)) == {timed.core} for t in os.listdir(f"/proc/{timed.proc.pid}/task"))
        assert _wait_state(other.proc.pid, "S") != "T"
        assert _wait_state(reference.proc.pid, "S") != "T"
    finally:
        for w in workers + [reference]:
            w.kill()


def _sleepers(gate, n):
    cores = sorted(os.sched_getaffinity(0))
    workers = [Worker(EvalConfig(), cores[i % len(cores)], gate) for i in range(n)]
    for w in workers:
        w.proc = subprocess.Popen(["sleep", "60"], start_new_session=True)
    gate.workers = workers
    return workers


def test_no_worker_is_stopped_while_it_times_and_no_parallel_lease_meanwhile():
    """The race the gate closes: a worker timing serially (its lease granted before its first timed call)
    is never stopped, and a parallel lease waits for it; serial leases asked meanwhile wait behind it."""
    gate = Gate(sorted(os.sched_getaffinity(0)))
    par, serial, late = _sleepers(gate, 3)
    try:
        gate.acquire(serial, 1)  # `serial` is timing
        granted = threading.Event()
        t = threading.Thread(target=lambda: (gate.acquire(par, 2), granted.set()))
        t.start()
        time.sleep(0.3)
        assert not granted.is_set() and not gate.timing(par)  # no parallel lease while another worker times
        assert _state(serial.proc.pid) != "T"  # and the timing worker was not stopped
        queued = threading.Event()
        t2 = threading.Thread(target=lambda: (gate.acquire(late, 1), queued.set()))
        t2.start()
        time.sleep(0.1)
        assert not queued.is_set()  # a serial lease waits behind the parallel one already asked for
        gate.release(serial)  # its timing is over (next stage)
        assert granted.wait(5.0) and gate.timing(par)
        assert _wait_state(serial.proc.pid, "T") == "T" and _wait_state(late.proc.pid, "T") == "T"
        assert not queued.is_set()
        gate.release(par)
        assert queued.wait(5.0) and gate.timing(late)
        assert _wait_state(serial.proc.pid, "S") != "T"
        gate.release(late)
        t.join(5.0)
        t2.join(5.0)
    finally:
        for w in (par, serial, late):
            w.kill()


def test_a_worker_started_during_a_parallel_timing_is_stopped_until_it_ends():
    gate = Gate(sorted(os.sched_getaffinity(0)))
    timed, fresh = _sleepers(gate, 2)
    try:
        gate.acquire(timed, 2)
        fresh.kill()  # replaced, as after a crash: the new process must not run beside the timing
        fresh.proc = subprocess.Popen(["sleep", "60"], start_new_session=True)
        gate.joined(fresh)
        assert _wait_state(fresh.proc.pid, "T") == "T"
        gate.release(timed)
        assert _wait_state(fresh.proc.pid, "S") != "T"
    finally:
        for w in (timed, fresh):
            w.kill()


@pytest.mark.slow
def test_parallel_candidates_are_accepted_side_by_side():
    """Two parallel candidates at once on a two-worker pool: each waits for the other's lease, none deadlocks."""
    info = analyze(read_source(ODD))
    h = dataclasses.replace(host(), cores=2)
    texts = [PackedMatmul().text(info, h), PackedMatmul(kb=1).text(info, h)]
    knobs = [PackedMatmul().defaults(info, h), PackedMatmul(kb=1).defaults(info, h)]
    with Evaluator(EvalConfig(workers=2, random_sets=1, bench_time_cap_s=0.5)) as ev:
        verdicts = ev.evaluate_batch(ODD, texts, knobs)
    for v in verdicts:
        assert v.reason.value == "ok", v.detail
        assert v.speedup is not None and v.speedup > 0


def test_a_candidate_may_not_run_on_more_threads_than_the_run_allows():
    info = analyze(read_source(ODD))
    h = dataclasses.replace(host(), cores=2)
    text, knobs = PackedMatmul().text(info, h), PackedMatmul().defaults(info, h)
    assert knobs.get("threads") == 2
    with Evaluator(EvalConfig(workers=1, random_sets=1, bench=False, threads=1)) as ev:
        v = ev.evaluate(ODD, text, knobs)
    assert v.reason.value == "thread_limit", v.detail
    assert "2 parallel tasks" in v.detail and "allows 1" in v.detail


HOST = """
import os, signal, threading, time
from neurojit.evaluator import EvalConfig
from neurojit.evaluator.pool import Worker
w = Worker(EvalConfig(), None)
def first_job():  # as a pool does: started, and sealed by its first job (root dropped, if root), from a thread that ends
    w._start()
    w.exchange({"task": "probe"})
t = threading.Thread(target=first_job)
t.start()
t.join()
time.sleep(0.3)
w.pause()
print(w.proc.pid, w.proc.poll(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


SUPERVISOR = """
import ctypes, os, signal, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER, as systemd, tini or docker --init are: the killed
# host's worker becomes our child, in another process group of the same session, so its group is not orphaned
host = subprocess.run([sys.executable, "-c", sys.argv[1]], capture_output=True, text=True, timeout=120)
if not host.stdout.strip():
    sys.exit("the host failed: " + host.stderr[-600:])
pid, code = host.stdout.split()
pid = int(pid)
end = time.monotonic() + 30  # it takes well under a second
while time.monotonic() < end:
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not ours yet: its parent, the host's zygote, is still being killed with the host
        done = 0
    if done:
        print(code, "gone", os.waitstatus_to_exitcode(status))
        break
    time.sleep(0.05)
else:
    with open(f"/proc/{pid}/stat") as f:
        state = f.read().rsplit(")", 1)[1].split()[0]
    os.killpg(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    print(code, "stuck", state)
"""


def test_a_worker_stopped_by_the_gate_does_not_outlive_a_killed_host():
    # the host is SIGKILLed while the gate has a worker stopped: nothing would ever resume it, so the kernel must
    # kill it (its parent-death signal); the thread that started it ended long before, which must not kill it
    out = subprocess.run([sys.executable, "-c", SUPERVISOR, HOST], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-800:]
    code, fate, how = out.stdout.split()
    assert code == "None", f"the worker died with the thread that started it: {out.stderr[-400:]}"
    assert (fate, how) == ("gone", "-9"), f"the worker was still {how} 30 s after its host was killed"


def _row_sum_in_two_tasks() -> tuple[str, str]:
    """examples/kernels/row_sum.mlir and its row-reduction schedule at two tasks (knobs in the text)."""
    from neurojit.agent.schedules import VectorizeRowReduction
    from neurojit.compiler.schedule import substitute

    path = KERNELS / "row_sum.mlir"
    info, h = analyze(read_source(path)), dataclasses.replace(host(), cores=2)
    s = VectorizeRowReduction()
    return str(path), substitute(s.text(info, h), {**s.defaults(info, h), "threads": 2})


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_a_parallel_candidate_is_accepted_where_the_stack_is_unlimited(tmp_path):
    """`ulimit -s unlimited` (HPC hosts) gives new threads glibc's 2 MiB default stack: the pool's workers ran each
    task below a random shift of up to 4 MiB (async_runtime.c, the evaluator's NEUROJIT_STACK_SHIFT) and every
    parallel candidate died as a crash. The workers' stacks are now sized for the shift."""
    import resource

    if resource.getrlimit(resource.RLIMIT_STACK)[1] != resource.RLIM_INFINITY:
        pytest.skip("the hard stack limit is not unlimited here")
    base, sched = _row_sum_in_two_tasks()
    (tmp_path / "cand.mlir").write_text(sched)
    unlimited = lambda: resource.setrlimit(resource.RLIMIT_STACK, (resource.RLIM_INFINITY,) * 2)  # noqa: E731
    done = subprocess.run([sys.executable, "-m", "neurojit", "evaluate", base, str(tmp_path / "cand.mlir"), "--seed", "0"],
                          capture_output=True, text=True, timeout=300, preexec_fn=unlimited)
    assert done.returncode == 0 and "ACCEPT (ok)" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]


def test_a_callers_task_is_not_shifted_again_below_its_calls_shift(tmp_path):
    """The evaluator's builds run each call at a random depth (compiler/jit.py, up to STACK_SHIFT_BYTES) and the
    pool runs each task at one (NEUROJIT_STACK_SHIFT); a caller that ran a task itself while it waited took both
    on one 8 MiB stack. On one core the caller runs most tasks itself; at a 6 MiB task shift that overflowed
    within a few hundred calls."""
    base, sched = _row_sum_in_two_tasks()
    script = f"""
import os
os.sched_setaffinity(0, {{min(os.sched_getaffinity(0))}})
os.environ["NEUROJIT_STACK_SHIFT"] = str(6 << 20)
from mlir import ir
from neurojit.compiler.jit import LOWER, CompiledKernel, lower_parsed, parse_kernel
from neurojit.compiler.source import read_source
from neurojit.evaluator.inputs import random_arrays
lowered = lower_parsed(parse_kernel(read_source({base!r}), ir.Context()), {sched!r}, {{}}, LOWER)
k = CompiledKernel(lowered, stack_shift=True)
assert k.threads == 2
args = random_arrays(k.signature)
for _ in range(3000):
    k(*args)
print("done")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "done" in done.stdout, (done.returncode, done.stderr[-2000:])


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_a_worker_alone_with_a_job_works_on_every_core_but_times_on_its_own():
    """Gate.busy: the one worker with a job runs its untimed work on every core (its main thread on its own, the
    others spread over the rest), narrowed back to its core for a serial timing and when another worker starts
    a job, and once its job ends."""
    cores = sorted(os.sched_getaffinity(0))
    gate = Gate(cores)
    workers = [Worker(EvalConfig(), cores[i], gate) for i in range(2)]
    gate.workers = workers
    a, b = workers

    def masks(w):
        return {int(t): os.sched_getaffinity(int(t)) for t in os.listdir(f"/proc/{w.proc.pid}/task")}

    def narrow(w):
        return all(m == {w.core} for m in masks(w).values())

    def wide(w):
        m = masks(w)
        return m.pop(w.proc.pid) == {w.core} and len(m) == 2 and all(x and w.core not in x for x in m.values())

    try:
        for w in workers:
            w.proc = subprocess.Popen([sys.executable, "-c", THREADS], start_new_session=True)
            os.sched_setaffinity(w.proc.pid, {w.core})
        end = time.monotonic() + 10
        while len(os.listdir(f"/proc/{a.proc.pid}/task")) < 3 and time.monotonic() < end:
            time.sleep(0.01)
        assert narrow(a)
        gate.busy(a, True)
        assert wide(a), masks(a)
        gate.acquire(a, 1)  # a serial timing: on its own core
        assert narrow(a), masks(a)
        gate.release(a)
        assert wide(a)
        gate.busy(b, True)  # another worker's job: each on its own core
        assert narrow(a)
        gate.busy(b, False)
        assert wide(a)
        gate.acquire(a, 2)  # a parallel timing: the lease's cores, then its own core and widened again
        gate.release(a)
        assert wide(a)
        gate.busy(a, False)
        assert narrow(a)
    finally:
        for w in workers:
            w.kill()
