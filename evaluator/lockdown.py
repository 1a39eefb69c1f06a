"""The worker's lockdown: what native code from an untrusted model may do if a memory bug lets it run free.

Static checks refuse inline assembly and foreign calls, and the checked build catches out-of-bounds accesses
on the inputs it tries; a bug on an untried input would still run with every right the worker has (root, on
our machines). So each worker takes rights away from itself in two steps, and never gets them back:

1. `start`, in `worker.main()` after the imports, before any job: no_new_privs; a network namespace of its
   own (root only); Landlock: read anywhere, write only beneath the temp dir; seccomp: an allowlist of the
   system calls an evaluation needs (seen with strace over compiles, checked runs, runtime-verification
   aborts, the counting allocator, guard pages, benchmarks, numpy's and MLIR's threads), plus the few the
   second step needs and the reference process's forked trial runs. A worker that only computes reference outputs (reference.py, trusted: it runs the
   baseline and writes .npy files) stays at this step.
2. `seal`, before the first candidate is parsed: root dropped to nobody (keeping only CAP_DAC_READ_SEARCH,
   read-only, when something the worker must read is not world-readable: a Python under /root, the 0700
   reference folder); a second Landlock layer: read-only, only beneath the software and the reference
   files; the parent-death signal set again (a change of user clears it; `die_with`); a second seccomp
   layer: the same allowlist with files opened read-only only, and neither the uid, capability, Landlock,
   seccomp nor parent-death calls of step 1.
Denied calls fail with EPERM instead of killing the worker: libraries probe calls and fall back (glibc's
clone3 -> clone, Python's .pyc writes), a denied call is already harmless, and a worker that survives keeps
the run's throughput; the probe (`probe`, used by the tests) sees each refusal. Signals only to the worker
itself: abort() is how a failed runtime check reaches the host as `unsafe_memory`.
A user namespace would need a single-threaded process (OpenBLAS has started its threads by then); Landlock
and the network namespace cover the main thread and the threads it starts, seccomp covers every thread.
"""

from __future__ import annotations

import ctypes
import enum
import errno
import functools
import os
import stat
import sys
import tempfile
from dataclasses import dataclass

from neurojit.compiler.zygote import die_with_parent

from . import landlock, seccomp
from .seccomp import Arg, Op

_libc = ctypes.CDLL(None, use_errno=True)
_libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4  # unsigned long: no stray upper bits
_CLONE_THREAD, _CLONE_VM, _CLONE_SIGHAND, _CLONE_NEWNET = 0x10000, 0x100, 0x800, 0x40000000
_CLONE_NAMESPACES = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | _CLONE_NEWNET
_O_WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND | 0o20000000  # __O_TMPFILE
_TCGETS, _TIOCGWINSZ, _FIONREAD = 0x5401, 0x5413, 0x541B
_F_DUPFD, _F_GETFD, _F_SETFD, _F_GETFL, _F_SETFL, _F_DUPFD_CLOEXEC = 0, 1, 2, 3, 4, 1030
_PR_GET_DUMPABLE, _PR_SET_KEEPCAPS, _PR_SET_NAME, _PR_GET_NAME = 3, 8, 15, 16
_PR_SET_NO_NEW_PRIVS, _PR_SET_VMA = 38, 0x53564D41
_PR_SET_PDEATHSIG = 1
_CAP_DAC_READ_SEARCH = 2

# Calls allowed whatever their arguments: memory (the JIT maps code: mmap/mprotect with PROT_EXEC), threads,
# signal handling, time, calls on file descriptors already open, and reading facts about the process.
ALWAYS = (
    "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mbind", "get_mempolicy", "membarrier",
    "futex", "set_robust_list", "rseq", "set_tid_address", "sched_yield", "sched_getaffinity", "gettid",
    "getpid", "exit", "exit_group",
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
    "clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep", "getrusage", "times",
    "read", "pread64", "readv", "preadv", "write", "writev", "lseek", "close", "fstat", "newfstatat", "statx",
    "stat", "lstat", "fstatfs", "statfs", "getdents64", "readlink", "readlinkat", "access", "faccessat",
    "faccessat2", "getcwd", "dup", "dup2", "dup3", "poll", "ppoll", "select", "pselect6",
    "uname", "sysinfo", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups",
    "getppid", "getpgrp", "getcpu", "getrandom", "sched_getparam", "sched_getscheduler", "getrlimit", "capget",
)
# Only before the seal: step 2's own calls (dropping root, the second Landlock and seccomp layers), and the
# trusted reference process's trial runs of the baseline in a forked child (reference.py), which it waits for.
BEFORE_SEAL = ("setresuid", "setresgid", "setgroups", "capset", "landlock_create_ruleset", "landlock_add_rule",
               "landlock_restrict_self", "seccomp", "wait4", "waitid")


class Mechanism(enum.StrEnum):
    NO_NEW_PRIVS = "no_new_privs"
    NET_NAMESPACE = "network namespace"
    LANDLOCK = "Landlock"
    SECCOMP = "seccomp"
    ROOT_DROPPED = "root dropped"


@dataclass(frozen=True)
class Lockdown:
    """What a worker applied (mechanism -> how) and what it could not (mechanism -> why)."""
    applied: tuple[tuple[Mechanism, str], ...] = ()
    missing: tuple[tuple[Mechanism, str], ...] = ()
    sealed: bool = False

    def line(self) -> str:
        """One line for stderr and the ready message."""
        done = "; ".join(f"{m.value}: {how}" for m, how in self.applied) or "nothing"
        lacks = "; ".join(f"{m.value} ({why})" for m, why in self.missing)
        head = "sealed for candidates" if self.sealed else "locked down"
        return f"neurojit worker {head}: {done}" + (f"; MISSING {lacks}" if lacks else "")

    def to_json(self) -> dict:
        def by_mechanism(pairs) -> dict[str, str]:  # a mechanism applied in both steps: both, in order
            out: dict[str, str] = {}
            for m, how in pairs:
                out[m.value] = f"{out[m.value]} + {how}" if m.value in out else how
            return out

        return {"applied": by_mechanism(self.applied), "missing": by_mechanism(self.missing), "sealed": self.sealed}


def off() -> Lockdown:
    return Lockdown(missing=tuple((m, "turned off (EvalConfig.lockdown)") for m in Mechanism))


def allowlist(pid: int, *, sealed: bool) -> seccomp.Filter:
    """The filter of step 1 (`sealed` False) or 2: everything not listed fails with EPERM."""
    f = seccomp.Filter(seccomp.errno_action(errno.EPERM))
    for name in ALWAYS + (() if sealed else BEFORE_SEAL):
        f.add(seccomp.ALLOW, name)
    # sealed: threads, never processes: clone only with CLONE_THREAD; never new namespaces. clone3 passes its
    # flags in memory, where seccomp cannot look, so it says ENOSYS and glibc falls back to clone
    if sealed:
        thread = _CLONE_THREAD | _CLONE_VM | _CLONE_SIGHAND
        f.add(seccomp.ALLOW, "clone", Arg(0, Op.MASKED_EQ, thread, thread | _CLONE_NAMESPACES))
    else:
        f.add(seccomp.ALLOW, "clone", Arg(0, Op.MASKED_EQ, 0, _CLONE_NAMESPACES))
    f.add(seccomp.errno_action(errno.ENOSYS), "clone3")
    # sealed: signals to this process only (abort() is tgkill(self): runtime checks must still end the worker);
    # before, also to the reference process's forked children (Landlock's scope keeps them in its domain)
    for name in ("kill", "tgkill"):
        f.add(seccomp.ALLOW, name, *([Arg(0, Op.EQ, pid)] if sealed else []))
    # files: read-only once sealed (the trusted reference worker writes its .npy files)
    for name, at in (("openat", 2), ("open", 1)):
        f.add(seccomp.ALLOW, name, *([Arg(at, Op.MASKED_EQ, 0, _O_WRITE)] if sealed else []))
    for request in (_TCGETS, _TIOCGWINSZ, _FIONREAD):  # Python asks whether a stream is a terminal
        f.add(seccomp.ALLOW, "ioctl", Arg(1, Op.EQ, request))
    for cmd in (_F_DUPFD, _F_GETFD, _F_SETFD, _F_GETFL, _F_SETFL, _F_DUPFD_CLOEXEC):  # not F_SETOWN: no SIGIO
        f.add(seccomp.ALLOW, "fcntl", Arg(1, Op.EQ, cmd))
    # LLVM names its threads; glibc names its mappings; libseccomp sets no_new_privs before loading a layer
    for option in (_PR_SET_NAME, _PR_GET_NAME, _PR_SET_VMA, _PR_GET_DUMPABLE, _PR_SET_NO_NEW_PRIVS,
                   *(() if sealed else (_PR_SET_KEEPCAPS, _PR_SET_PDEATHSIG))):
        f.add(seccomp.ALLOW, "prctl", Arg(0, Op.EQ, option))
    f.add(seccomp.ALLOW, "prlimit64", Arg(0, Op.EQ, 0), Arg(2, Op.EQ, 0))  # read its own limits, never set
    return f


def start() -> Lockdown:
    """Step 1 (see the module's docstring). Never raises: what cannot be applied is named in `missing`."""
    applied, missing = [], []
    _nobody()
    if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
        applied.append((Mechanism.NO_NEW_PRIVS, "set"))
    else:
        missing.append((Mechanism.NO_NEW_PRIVS, os.strerror(ctypes.get_errno())))
    if _libc.unshare(_CLONE_NEWNET) == 0:
        applied.append((Mechanism.NET_NAMESPACE, "empty (no interfaces up)"))
    else:
        missing.append((Mechanism.NET_NAMESPACE, f"unshare: {os.strerror(ctypes.get_errno())}"))
    temp = tempfile.gettempdir()
    try:
        v = landlock.restrict({"/": landlock.READ, temp: landlock.READ | landlock.WRITE})
        applied.append((Mechanism.LANDLOCK, f"ABI {v}, read-only but {temp}, no exec"))
    except landlock.Unavailable as e:
        missing.append((Mechanism.LANDLOCK, str(e)))
    try:
        f = allowlist(os.getpid(), sealed=False)
        f.load()
        applied.append((Mechanism.SECCOMP, f"allowlist of {f.rules} rules, others EPERM"))
    except seccomp.Unavailable as e:
        missing.append((Mechanism.SECCOMP, str(e)))
    return Lockdown(tuple(applied), tuple(missing))


def die_with(host: int) -> None:
    """Ask the kernel to SIGKILL this process when the host thread that started it ends (`PR_SET_PDEATHSIG`),
    and exit now if the host is already gone. A worker the gate has stopped cannot notice anything itself,
    and SIGKILL is the one signal that ends a stopped process: without this, a host killed while the gate
    held a worker stopped left it stopped forever (the orphaned-group hang-up does not always come). The
    setting is per parent *thread* (the host starts workers from one thread that lives as long as it does,
    pool.py) and is cleared by a change of user (`seal` sets it again after dropping root; the sealed filter
    then refuses to change it)."""
    if not die_with_parent():
        print(f"neurojit worker: cannot ask to die with the host: {os.strerror(ctypes.get_errno())}", file=sys.stderr,
              flush=True)
    if os.getppid() != host:
        os._exit(1)


def read_roots(reference_dir: str | None) -> list[str]:
    """What a sealed worker reads: Python and its packages (wherever they were loaded from), the system's
    libraries, /proc and the CPU's description, and the reference files."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots.update(p for p in sys.path if p and os.path.isabs(p))
    for module in list(sys.modules.values()):  # a package mapped to a folder of its own (editable installs)
        roots.update(p for p in getattr(module, "__path__", None) or [] if isinstance(p, str) and os.path.isabs(p))
    roots.update(("/usr", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/localtime", "/proc", "/sys/devices/system/cpu",
                  "/sys/fs/cgroup", "/dev/null", "/dev/urandom"))
    if reference_dir:
        roots.add(os.path.dirname(os.path.abspath(reference_dir)))  # every kernel's folder of this pool
    roots = sorted(os.path.realpath(r) for r in roots if os.path.exists(r))
    return [r for i, r in enumerate(roots) if not any(r.startswith(o.rstrip("/") + "/") or r == o for o in roots[:i])]


def _world_readable(path: str) -> bool:
    path = os.path.abspath(path)
    parts = path.split("/")
    for i in range(2, len(parts)):  # every folder on the way must be searchable by others
        if not os.stat("/".join(parts[:i]) or "/").st_mode & stat.S_IXOTH:
            return False
    mode = os.stat(path).st_mode
    return bool(mode & stat.S_IROTH) and (not stat.S_ISDIR(mode) or bool(mode & stat.S_IXOTH))


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


@functools.cache
def _nobody() -> tuple[int, int]:
    """nobody's uid and gid; looked up in `start`, before the filter refuses the name service's socket."""
    import pwd

    try:
        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return 65534, 65534


def _drop_root(roots: list[str]) -> str:
    """setuid/setgid nobody (all threads: glibc broadcasts), keeping CAP_DAC_READ_SEARCH in this thread
    only when a root is not readable by nobody. Returns how; raises OSError when the kernel refused."""
    uid, gid = _nobody()
    blocked = [r for r in roots if not r.startswith(("/proc", "/sys", "/dev")) and not _world_readable(r)]
    if blocked:
        _libc.prctl(_PR_SET_KEEPCAPS, 1, 0, 0, 0)
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if not blocked:
        return f"uid {uid}, no capabilities"
    caps = (_CapData * 2)(_CapData(1 << _CAP_DAC_READ_SEARCH, 1 << _CAP_DAC_READ_SEARCH, 0), _CapData(0, 0, 0))
    if _libc.capset(ctypes.byref(_CapHeader(0x20080522, 0)), caps) != 0:
        raise OSError(ctypes.get_errno(), "capset: " + os.strerror(ctypes.get_errno()))
    _libc.prctl(_PR_SET_KEEPCAPS, 0, 0, 0, 0)
    return f"uid {uid}, only CAP_DAC_READ_SEARCH kept ({blocked[0]} is not world-readable)"


def seal(started: Lockdown, reference_dir: str | None, host: int | None = None) -> Lockdown:
    """Step 2 (see the module's docstring), on top of `started`; `host`: the pid `die_with` was given."""
    applied, missing = list(started.applied), list(started.missing)
    roots = read_roots(reference_dir)
    if os.geteuid() == 0:
        try:
            applied.append((Mechanism.ROOT_DROPPED, _drop_root(roots)))
        except OSError as e:
            missing.append((Mechanism.ROOT_DROPPED, str(e)))
        if host is not None:
            die_with(host)  # a change of user (even a partial drop) cleared it
    try:
        landlock.restrict({r: landlock.READ for r in roots})
        applied.append((Mechanism.LANDLOCK, f"read-only beneath {len(roots)} paths"))
    except landlock.Unavailable as e:
        if all(m is not Mechanism.LANDLOCK for m, _ in missing):
            missing.append((Mechanism.LANDLOCK, str(e)))
    try:
        f = allowlist(os.getpid(), sealed=True)
        f.load()
        applied.append((Mechanism.SECCOMP, f"second layer of {f.rules} rules, files opened read-only only"))
    except seccomp.Unavailable as e:
        if all(m is not Mechanism.SECCOMP for m, _ in missing):
            missing.append((Mechanism.SECCOMP, str(e)))
    return Lockdown(tuple(applied), tuple(missing), sealed=True)


def probe(host: int, try_exec: bool = True) -> dict[str, str]:
    """Try what a sealed worker must not do, and what it must still do: operation -> "ok" or the errno's name.
    Each forbidden call is chosen so that the kernel alone would answer differently (ok, ENOENT, ESRCH)."""
    import socket
    import threading

    import numpy as np

    def attempt(fn) -> str:
        try:
            fn()
            return "ok"
        except OSError as e:
            return errno.errorcode.get(e.errno, str(e.errno))

    def call(nr: int, *args) -> None:
        if _libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args]) < 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))

    def own_memory() -> None:  # process_vm_readv of its own memory: the kernel alone would allow it
        buf = ctypes.create_string_buffer(8)
        src = ctypes.create_string_buffer(b"neurojit", 8)
        iov = (ctypes.c_void_p * 2)(ctypes.addressof(buf), 8)
        riov = (ctypes.c_void_p * 2)(ctypes.addressof(src), 8)
        call(310, os.getpid(), ctypes.addressof(iov), 1, ctypes.addressof(riov), 1, 0)

    def fork() -> None:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)  # no zombie left behind where the fork was allowed

    def write_file() -> None:
        path = os.path.join(tempfile.gettempdir(), f"neurojit-probe-{os.getpid()}")
        with open(path, "w") as f:
            f.write("x")
        os.unlink(path)

    def thread() -> None:
        out = []
        t = threading.Thread(target=lambda: out.append(float((np.ones((300, 300)) @ np.ones((300, 300))).sum())))
        t.start()
        t.join()
        if out != [300.0 ** 3]:
            raise OSError(errno.EIO, "the thread did not finish")

    result = {
        "socket_inet": attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()),
        "socket_unix": attempt(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()),
        "ptrace_host": attempt(lambda: call(101, 3, host, 0, 0)),  # PTRACE_PEEKUSER, not attached: ESRCH
        "process_vm_readv": attempt(own_memory),
        "kill_host": attempt(lambda: os.kill(host, 0)),
        "fork": attempt(fork),
        "write_file": attempt(write_file),
        "write_proc_mem": attempt(lambda: os.close(os.open("/proc/self/mem", os.O_RDWR))),
        "clear_parent_death": attempt(lambda: call(157, _PR_SET_PDEATHSIG, 0)),  # prctl: would outlive the host
        "setuid_root": attempt(lambda: os.setresuid(0, 0, 0)) if os.getuid() != 0 else "ok",
        "exec_missing": attempt(lambda: os.execv("/nonexistent/neurojit-probe", ["probe"])),
        "read_file": attempt(lambda: open(sys.executable, "rb").close()),
        "signal_self": attempt(lambda: os.kill(os.getpid(), 0)),
        "thread_numpy": attempt(thread),
    }
    if try_exec:  # last: if nothing stops it, the worker is replaced by `true` and the host sees it end
        result["exec"] = attempt(lambda: os.execv("/bin/true", ["true"]))
    return result
