"""Child processes forked from one that has already imported MLIR and NeuroJIT (a zygote, as Android calls it).

Every evaluator worker and every preflight child used to be a fresh `python -m ...`: ~1 s of imports (MLIR's
bindings, numpy, the evaluator) per worker and ~0.6 s per preflight, paid again by every worker that replaces
one killed after a crash or a timeout, and by every kernel a run checks in a child. The zygote is started once
per host process, imports those modules, and then only forks: a child is ready in milliseconds, runs
`python -m MODULE ARGS` as if started afresh (`runpy`, `sys.argv`, fds 0-2 the caller's, its own process
group if asked), and the zygote reports its exit status, since the host is not its parent.

What a fresh process would have and a forked one must get: no Python thread but its own (checked in the
zygote; OpenBLAS's native pool stops itself around a fork), no file but fds 0-2 (closed in the child),
`random` reseeded (Python does that on fork), the working directory the host has when it asks (sent with the
request), and a worker's environment (the zygote is started with `worker_env()`: model keys and database URLs
never reach it). What it does not get: its own address-space layout and string-hash seed (both per exec;
children share the zygote's, which tells an escaped candidate nothing about the host's), the host's
environment as it is at that moment (the zygote's, from its start), Python's full shutdown (atexit handlers
run, then the process exits at once; non-daemon threads are not waited for).

Death: the zygote dies with the thread that started it (PR_SET_PDEATHSIG; started from the host's spawner
thread), runs in a process group of its own (a terminal's Ctrl-C reaches only the host), and every child dies
with the zygote (a worker is also told the zygote's pid as its host, `lockdown.die_with`), so killing the host
still takes every worker with it. If the zygote itself dies, its children die with it, every wait on them
returns, and the next request starts a new one.

Protocol (a Unix SOCK_SEQPACKET pair): the host sends `{"id", "module", "argv", "group", "cwd"}` with three fds
(stdin, stdout, stderr) attached; the zygote answers `{"pid", "id"}` or `{"error", "id"}` (a reply to a request
whose caller was interrupted is told apart by its id, and its child killed), and later `{"exit": pid, "code"}`
(a negative code is the signal, as `subprocess` reports it)."""

from __future__ import annotations

import ctypes
import json
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading

# what the zygote imports before it forks; other packages add theirs (`preload`) before the first child
_preload = ["numpy", "mlir.ir", "mlir.dialects.llvm", "neurojit.compiler.build", "neurojit.compiler.preflight",
            "neurojit.compiler.frontend"]
_MAX_MSG = 65536

# What a child's environment keeps: where Python, its packages and native libraries are, the locale, temp
# folders, and the thread settings of the math libraries. Everything else (model API keys, database URLs and
# passwords) stays with the host: code that broke loose in an evaluator worker could print it into a verdict.
_ENV_KEPT = ("PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "VIRTUAL_ENV", "LD_LIBRARY_PATH")
_ENV_KEPT_PREFIXES = ("LC_", "PYTHON", "OPENBLAS_", "OMP_", "MKL_", "GOTO", "BLIS_")


# glibc's per-thread cache of small heap blocks (tcache) off: a block freed there comes back from `malloc` as it
# was, past the fills that make a call's heap memory fresh (evaluator/fresh.py); the eighth red team kept a
# cache of results and a call counter in such blocks (timed on lookups; exact for 1500 calls, then wrong)
NO_TCACHE = "glibc.malloc.tcache_count=0"


def worker_env(environ=None) -> dict[str, str]:
    """The host's environment, less anything a child does not need (see `_ENV_KEPT`), with glibc's tcache off
    (`NO_TCACHE`; read when a process starts, so every child forked from the zygote has it off too)."""
    environ = os.environ if environ is None else environ
    env = {k: v for k, v in environ.items() if k in _ENV_KEPT or k.startswith(_ENV_KEPT_PREFIXES)}
    env["GLIBC_TUNABLES"] = ":".join(t for t in (environ.get("GLIBC_TUNABLES"), NO_TCACHE) if t)
    return env


def preload(*modules: str) -> None:
    """Have the zygote import `modules` too (they take effect when it next starts)."""
    for m in modules:
        if m not in _preload:
            _preload.append(m)


class ZygoteError(RuntimeError):
    """The zygote could not start or fork a child."""


class Child:
    """A forked child, as much of `subprocess.Popen` as the callers use: `pid`, `returncode`, `poll()`,
    `wait(timeout)`, `kill()`; `stdin`/`stdout` are the caller's ends of its pipes, when it made them."""

    def __init__(self, pid: int):
        self.pid = pid
        self.stdin = None
        self.stdout = None
        self.returncode: int | None = None
        self.request: int | None = None
        self._done = threading.Event()

    def _exited(self, code: int) -> None:
        self.returncode = code
        self._done.set()

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._done.wait(timeout):
            raise TimeoutError(f"child {self.pid} still running after {timeout} s")
        return self.returncode  # type: ignore[return-value]

    def kill(self) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class _Running:
    """One zygote process: its socket, the answers to requests, and its living children (by pid). A reader
    thread registers each child as its pid comes back, before any exit of it can, and ends them all when the
    zygote goes."""

    def __init__(self, sock: socket.socket, proc):
        self.sock, self.proc = sock, proc
        self.replies: queue.Queue = queue.Queue()
        self.children: dict[int, Child] = {}
        self.lock = threading.Lock()
        threading.Thread(target=self._read, name="neurojit-zygote-reader", daemon=True).start()

    def _read(self) -> None:
        try:
            self._serve_replies()
        finally:  # whatever ended the loop (EOF, a malformed message), nobody waits forever
            self._orphan_all()

    def _serve_replies(self) -> None:
        while (msg := _recv(self.sock)) is not None:
            if "exit" in msg:
                with self.lock:
                    child = self.children.pop(msg["exit"], None)
                if child is not None:
                    child._exited(int(msg["code"]))
            elif "pid" in msg:
                child = Child(msg["pid"])
                child.request = msg.get("id")
                with self.lock:
                    self.children[child.pid] = child
                self.replies.put(child)
            else:
                self.replies.put(msg)

    def _orphan_all(self) -> None:
        if self.alive():
            self.proc.kill()  # a reader that stopped early: nobody would report this zygote's children
        # the zygote is gone: its children died with it (they asked to), and nobody will report them
        self.proc.wait()
        with self.lock:
            orphans, self.children = list(self.children.values()), {}
        for c in orphans:
            c._exited(-signal.SIGKILL)
        self.replies.put({"error": "the zygote died"})

    def alive(self) -> bool:
        return self.proc.poll() is None


class Zygote:
    """The host's side: `spawn(module, argv, fds)` forks a child of the zygote process (started on first use,
    and again after it died)."""

    def __init__(self):
        self._lock = threading.Lock()  # one request at a time
        self._running: _Running | None = None
        self._seq = 0

    @property
    def pid(self) -> int | None:
        return self._running.proc.pid if self._running is not None else None

    def _ensure(self) -> _Running:
        if self._running is not None and self._running.alive():
            return self._running
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            proc = spawn_process([sys.executable, "-m", "neurojit.compiler.zygote", str(theirs.fileno()),
                                  str(os.getpid()), *_preload], pass_fds=[theirs.fileno()],
                                 stdin=subprocess.DEVNULL, env=worker_env(), process_group=0)
        finally:
            theirs.close()
        ready = _recv(ours)
        if ready is None or "ready" not in ready:
            ours.close()
            proc.kill()
            proc.wait()
            raise ZygoteError(f"the zygote failed to start: {ready}")
        self._running = _Running(ours, proc)
        return self._running

    def spawn(self, module: str, argv: list[str], fds: tuple[int, int, int], group: bool = False) -> Child:
        """Fork a child that runs `python -m module *argv` with `fds` as its stdin, stdout and stderr (the
        caller closes its copies when it likes); in a process group of its own if `group`. "{zygote}" in an
        argument is the zygote's pid (the child's parent)."""
        with self._lock:
            for _ in range(2):  # a zygote found dead is started again, once
                z = self._ensure()
                args = [a.replace("{zygote}", str(z.proc.pid)) for a in argv]
                self._seq += 1
                req = {"id": self._seq, "module": module, "argv": args, "group": group, "cwd": os.getcwd()}
                try:
                    socket.send_fds(z.sock, [json.dumps(req).encode()], list(fds))
                except (BrokenPipeError, ConnectionError):
                    self._stop(z)
                    continue
                except OSError as e:  # our request's fault (a closed fd): the zygote and its children are fine
                    raise ZygoteError(f"could not start {module}: {e}") from e
                while True:  # replies to requests whose caller was interrupted come first: end their children
                    reply = z.replies.get()
                    rid = reply.request if isinstance(reply, Child) else reply.get("id", self._seq)
                    if rid in (None, self._seq):
                        break
                    if isinstance(reply, Child):
                        reply.kill()
                if isinstance(reply, Child):
                    return reply
                if reply.get("error") != "the zygote died":
                    raise ZygoteError(f"could not start {module}: {reply.get('error')}")
                self._stop(z)
        raise ZygoteError(f"could not start {module}: the zygote died twice")

    def _stop(self, z: _Running) -> None:
        z.sock.close()  # (the reader then sees the end, after the process)
        if z.alive():
            z.proc.kill()
        if self._running is z:
            self._running = None

    def close(self) -> None:
        with self._lock:
            if self._running is not None:
                self._stop(self._running)


_shared: Zygote | None = None
_shared_lock = threading.Lock()


def shared() -> Zygote:
    """This process's zygote (started on its first request)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Zygote()
        return _shared


def run_python(module: str, stdin: bytes, timeout: float) -> tuple[int, bytes, bytes]:
    """`python -m module` forked from the zygote, `stdin` as its input: (exit code, stdout, stderr), as
    `subprocess.run(..., input=stdin, capture_output=True, timeout=timeout)` gives them; TimeoutError after
    `timeout` seconds (the child killed)."""
    with tempfile.TemporaryFile() as i, tempfile.TemporaryFile() as o, tempfile.TemporaryFile() as e:
        i.write(stdin)
        i.flush()
        i.seek(0)
        child = shared().spawn(module, [], (i.fileno(), o.fileno(), e.fileno()))
        try:
            code = child.wait(timeout)
        except BaseException:  # a timeout, or Ctrl-C: the child (no longer in our group) must not outlive it
            child.kill()
            child.wait()
            raise
        o.seek(0)
        e.seek(0)
        return code, o.read(), e.read()


# --- the spawner thread: a child asked to die with its parent dies when the *thread* that started it ends --------

_spawns: queue.Queue | None = None  # the spawner thread's requests (a forked child starts its own)
_spawns_lock = threading.Lock()


def spawn_process(argv: list[str], **popen) -> subprocess.Popen:
    """`subprocess.Popen(argv, **popen)`, from one thread that lives as long as this process: a process that
    asks the kernel to kill it when its parent ends (`PR_SET_PDEATHSIG`; the zygote, an evaluator worker) is
    killed when the parent *thread* ends, and callers may be short-lived threads (`WorkerPool.map`)."""
    global _spawns
    with _spawns_lock:
        if _spawns is None:
            _spawns = queue.Queue()
            threading.Thread(target=_spawner, args=(_spawns,), name="neurojit-spawner", daemon=True).start()
        requests = _spawns
    done: queue.Queue = queue.Queue(maxsize=1)
    requests.put((argv, popen, done))
    ok, value = done.get()
    if not ok:
        raise value
    return value


def _after_fork() -> None:  # a forked child has neither the thread, nor a zygote of its own, nor maybe free locks
    global _spawns, _spawns_lock, _shared, _shared_lock
    _spawns, _spawns_lock = None, threading.Lock()
    _shared, _shared_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def _spawner(requests: queue.Queue) -> None:
    while True:
        argv, popen, done = requests.get()
        try:
            done.put((True, subprocess.Popen(argv, **popen)))
        except BaseException as e:  # handed to the caller, who raises it
            done.put((False, e))


def _recv(sock: socket.socket) -> dict | None:
    try:
        data = sock.recv(_MAX_MSG)
    except OSError:
        return None
    return json.loads(data) if data else None


# --- the zygote process ---------------------------------------------------------------------------------------

def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when the thread that started it ends (`PR_SET_PDEATHSIG`); False
    if it refused (`ctypes.get_errno()` says why). Also the evaluator worker's (`lockdown.die_with`)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4  # unsigned long: no stray upper bits
    return libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0  # PR_SET_PDEATHSIG


def _die_with_parent(parent: int) -> bool:
    """SIGKILL this process when its parent (thread) ends; False if that cannot be, or the parent is gone."""
    return die_with_parent() and os.getppid() == parent


def _child(sock: socket.socket, req: dict, fds: list[int], zygote: int) -> None:
    """In the forked child: become `python -m module *argv`; never returns."""
    code = 1
    try:
        if not _die_with_parent(zygote):
            os._exit(1)
        sock.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        if req.get("group"):
            os.setpgid(0, 0)
        if req.get("cwd"):
            os.chdir(req["cwd"])
        for target, fd in enumerate(fds):
            os.dup2(fd, target)  # dup2 clears close-on-exec on the copy; nothing else is kept
        os.closerange(3, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 65536)
        sys.stdin = open(0, "r", closefd=False)
        sys.stdout = open(1, "w", closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        import runpy
        import warnings

        # the zygote imported the module already (a package's other modules may import it): run it as __main__
        # all the same, as `python -m` would
        warnings.filterwarnings("ignore", "'.*' found in sys.modules after import of package", RuntimeWarning)
        sys.argv = [req["module"], *req["argv"]]
        try:
            runpy.run_module(req["module"], run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            if not isinstance(e.code, (int, type(None))):
                print(e.code, file=sys.stderr)
    except BaseException:
        import traceback

        try:
            traceback.print_exc()
        except BaseException:
            pass
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()  # as an interpreter's exit would (os._exit below skips it)
        except BaseException:
            pass
        for f in (sys.stdout, sys.stderr):
            try:
                f.flush()
            except BaseException:
                pass
        os._exit(code)


def _serve(fd: int, modules: list[str]) -> int:
    sock = socket.socket(fileno=fd)
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:  # the child imports it itself, and says why it could not
            pass
    if threading.active_count() != 1:  # (OpenBLAS's own pool is native: it stops it before a fork, pthread_atfork)
        sock.send(json.dumps({"error": f"{threading.active_count()} Python threads after the imports"}).encode())
        return 1
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    zygote = os.getpid()
    sock.send(json.dumps({"ready": zygote}).encode())
    while True:
        readable, _, _ = select.select([sock, wake_r], [], [])
        if wake_r in readable:
            os.read(wake_r, 4096)
        _reap(sock)
        if sock not in readable:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(sock, _MAX_MSG, 8)
        except OSError:
            return 0
        if not data:
            return 0  # the host closed its end
        req: dict = {}
        try:
            req = json.loads(data)
            if len(fds) != 3:
                raise ValueError(f"expected 3 fds, got {len(fds)}")
            pid = os.fork()
        except (OSError, ValueError) as e:
            for f in fds:
                os.close(f)
            sock.send(json.dumps({"error": str(e), "id": req.get("id")}).encode())
            continue
        if pid == 0:
            signal.set_wakeup_fd(-1)
            os.close(wake_r)
            os.close(wake_w)
            _child(sock, req, fds, zygote)
        if req.get("group"):
            try:
                os.setpgid(pid, pid)  # as the child does: whichever runs first, the group exists when we answer
            except OSError:
                pass
        for f in fds:
            os.close(f)
        sock.send(json.dumps({"pid": pid, "id": req.get("id")}).encode())


def _reap(sock: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        try:
            sock.send(json.dumps({"exit": pid, "code": os.waitstatus_to_exitcode(status)}).encode())
        except OSError:
            pass


def main(argv: list[str]) -> int:
    fd, host, modules = int(argv[0]), int(argv[1]), argv[2:]
    if not _die_with_parent(host):  # the host's spawner thread (a zygote has nothing to clean up)
        return 1
    return _serve(fd, modules)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
