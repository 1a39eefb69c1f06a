"""Children forked from the zygote behave as `python -m` children would: their own fds and environment, their
exit status and signal reported, a hang cut off, and a dead zygote neither hangs a waiter nor stops the next
child."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from neurojit.compiler import zygote

PROBE = "tests_zygote_probe"  # a module written into a folder on PYTHONPATH (the zygote's environment keeps it)

SOURCE = """
import json, os, sys, time
what = sys.stdin.read().strip()
if what == "report":
    fds = sorted(int(f) for f in os.listdir("/proc/self/fd"))
    print(json.dumps({"argv": sys.argv[1:], "fds": fds, "env": sorted(os.environ), "pid": os.getpid(),
                      "ppid": os.getppid(), "pgid": os.getpgid(0), "cwd": os.getcwd()}))
elif what == "abort":
    print("last words", file=sys.stderr, flush=True)
    os.abort()
elif what == "hang":
    time.sleep(60)
else:
    sys.exit(int(what))
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zygote")
    (folder / f"{PROBE}.py").write_text(SOURCE)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = f"{folder}{os.pathsep}{old}" if old else str(folder)
    os.environ["NEUROJIT_TEST_SECRET"] = "not for children"
    z = zygote.Zygote()  # its own zygote, started with this environment
    yield z
    z.close()
    del os.environ["NEUROJIT_TEST_SECRET"]
    if old is None:
        del os.environ["PYTHONPATH"]
    else:
        os.environ["PYTHONPATH"] = old


def _gone(pid: int, within_s: float = 10) -> bool:
    """Whether `pid` ended (a zombie nobody reaps counts: a container's init may not)."""
    end = time.monotonic() + within_s
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] in "ZX":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def _run(z, what: str, argv=(), group=False, timeout=30):
    import tempfile

    with tempfile.TemporaryFile() as i, tempfile.TemporaryFile() as o, tempfile.TemporaryFile() as e:
        i.write(what.encode())
        i.flush()
        i.seek(0)
        child = z.spawn(PROBE, list(argv), (i.fileno(), o.fileno(), e.fileno()), group=group)
        code = child.wait(timeout)
        o.seek(0)
        e.seek(0)
        return child, code, o.read().decode(), e.read().decode()


def test_a_child_has_its_own_fds_argv_group_and_a_workers_environment(probe):
    child, code, out, _ = _run(probe, "report", ["a", "--host={zygote}"], group=True)
    assert code == 0
    seen = json.loads(out)
    assert seen["pid"] == child.pid and seen["ppid"] == probe.pid and seen["pgid"] == child.pid
    assert seen["argv"] == ["a", f"--host={probe.pid}"]
    assert seen["fds"] == [0, 1, 2, 3]  # 3: the listing's own
    assert "NEUROJIT_TEST_SECRET" not in seen["env"] and "PYTHONPATH" in seen["env"]
    _, code, out, _ = _run(probe, "report")
    assert json.loads(out)["pgid"] == os.getpgid(probe.pid)  # no group asked: the zygote's


def test_a_child_runs_where_the_host_is_now_and_the_zygote_is_out_of_a_terminals_reach(probe, tmp_path,
                                                                                      monkeypatch):
    _run(probe, "0")  # the zygote runs
    monkeypatch.chdir(tmp_path)
    assert json.loads(_run(probe, "report")[2])["cwd"] == str(tmp_path)
    assert os.getpgid(probe.pid) == probe.pid != os.getpgid(0)  # a Ctrl-C to our group does not reach it


def test_a_spawn_interrupted_while_waiting_leaves_no_reply_for_the_next(probe):
    """An interrupted request's answer comes later; the next request must get its own child, not that one."""
    class Interrupt(Exception):
        pass

    def boom(*_):
        raise Interrupt()

    _run(probe, "0")
    old = signal.signal(signal.SIGALRM, boom)
    os.kill(probe.pid, signal.SIGSTOP)  # a zygote slow to answer
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(Interrupt):
            _run(probe, "5")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        os.kill(probe.pid, signal.SIGCONT)
    assert _run(probe, "7")[1] == 7 and _run(probe, "3")[1] == 3


def test_exit_codes_and_signals_are_reported_as_subprocess_does(probe):
    assert _run(probe, "7")[1] == 7
    _, code, _, err = _run(probe, "abort")
    assert code == -signal.SIGABRT and "last words" in err
    with pytest.raises(TimeoutError):
        _run(probe, "hang", timeout=0.5)


def test_a_dead_zygote_ends_its_childrens_waits_and_the_next_child_starts_a_new_one(probe):
    import tempfile

    with tempfile.TemporaryFile() as i, tempfile.TemporaryFile() as o:
        i.write(b"hang")
        i.flush()
        i.seek(0)
        child = probe.spawn(PROBE, [], (i.fileno(), o.fileno(), o.fileno()))
        old = probe.pid
        os.kill(old, signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
        assert _gone(child.pid)  # it died with its zygote
    assert _run(probe, "3")[1] == 3 and probe.pid != old


def test_the_zygote_dies_with_its_host():
    host = subprocess.run([sys.executable, "-c", """
import os, signal
from neurojit.compiler import zygote
z = zygote.shared()
print(zygote.run_python("neurojit.compiler.preflight", b"{}", 30)[0], z.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""], capture_output=True, text=True, timeout=120)
    code, pid = host.stdout.split()
    assert code == "1"  # the preflight child's KeyError: the child ran
    assert _gone(int(pid)), "the zygote outlived its host"
