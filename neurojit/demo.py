"""`neurojit demo`: the seeds' self-optimising matmul (DESIGN §3).

The program's thread calls a naive matmul in a loop on fixed arrays, through a `GuardedLive`. The agent
(`agent.run.tune`) searches for faster variants in a background thread; the agent's promote stage (a
`Watcher` thread) hands every new best candidate of the run to the `Promoter`, whose gate re-measures it
against the live variant and shadow-runs it on the program's own arguments before hot-swapping it in.
Only the program's thread prints: the other threads put their lines on a queue it drains between
iterations.
"""

from __future__ import annotations

import os
import queue
import secrets
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BLOCK_S = 1.0  # one line of iteration times per second of the loop (and at every change of variant)
SETTLE_S = 3.0  # after the agent is done and its best was considered, keep looping this long, then stop


def add_parser(subparsers) -> None:
    d = subparsers.add_parser(
        "demo", help="self-optimising matmul: the agent tunes it in the background, the best is hot-swapped",
        description="Call a naive NxN matmul in a loop while the agent searches for faster variants in the "
                    "background; each new best candidate that passes the promotion gate (evaluator verdict, "
                    "interleaved re-measurement against the live variant, shadow run on the loop's own "
                    "arrays) is hot-swapped into the running loop. Offline by default.")
    d.add_argument("--model", default="heuristic", metavar="M",
                   help="heuristic (offline, default) | gemini[:NAME] | replay:FILE, as for tune")
    d.add_argument("--size", type=int, default=256, metavar="N", help="matrix size N (default 256)")
    d.add_argument("--budget", type=int, default=12, metavar="N", help="candidates the agent may evaluate (default 12)")
    d.add_argument("--seconds", type=float, default=100.0, metavar="S",
                   help="stop the loop after S seconds at most (default 100)")
    d.add_argument("--iterations", type=int, metavar="N", help="stop the loop after N iterations at most")
    d.add_argument("--db", metavar="URL", help="results store (default: a temporary SQLite file, removed at the end)")
    d.add_argument("--workers", type=int, default=0, metavar="N",
                   help="evaluator workers (default: one per core but one, left to the loop)")
    d.add_argument("--seed", type=int, default=0, help="seed of the arrays, the tuner and the evaluator (default 0)")
    d.set_defaults(func=run)


def matmul_kernel(n: int) -> str:
    """C += A @ B on n x n f32 matrices, the naive way (one linalg.matmul)."""
    t = f"memref<{n}x{n}xf32>"
    return (f"// C += A @ B for {n}x{n} f32 matrices (neurojit demo)\n"
            "module {\n"
            f"  func.func @matmul(%A: {t}, %B: {t}, %C: {t}) {{\n"
            f"    linalg.matmul ins(%A, %B : {t}, {t}) outs(%C : {t})\n"
            "    return\n  }\n}\n")


class _Lines:
    """A file-like sink for another thread's progress lines: each whole line goes onto the queue."""

    def __init__(self, out: queue.Queue, tag: str):
        self.out, self.tag, self.buf = out, tag, ""

    def write(self, text: str) -> int:
        self.buf += text
        *lines, self.buf = self.buf.split("\n")
        for line in lines:
            if line.strip():
                self.out.put(f"{self.tag} {line}")
        return len(text)

    def flush(self) -> None:
        pass


@dataclass
class _State:
    """What the threads share: flags set once, and the queue of lines for the program's thread to print."""
    lines: queue.Queue = field(default_factory=queue.Queue)
    stop: threading.Event = field(default_factory=threading.Event)
    agent_done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


def _agent(kernel_path: str, options, st: _State) -> None:
    from neurojit.agent.run import tune

    try:
        s = tune(kernel_path, options, progress=_Lines(st.lines, "  agent |"))
        best = f"best {s.speedup:.2f}x" if s.speedup else "no accepted candidate"
        st.lines.put(f"  agent | done: {s.candidates} candidates, {s.accepted} accepted, {best} (sandbox measurement)")
    except BaseException as exc:  # handed to the program's thread, which reports it
        st.error = exc
    finally:
        st.agent_done.set()


class _Blocks:
    """Iteration times grouped into one printed line per second of loop, or per variant."""

    def __init__(self, labels: dict):
        self.labels = labels
        self.first = 0
        self.times: list[float] = []
        self.variant: str | None = None
        self.started = time.monotonic()

    def add(self, it: int, variant: str, ms: float) -> None:
        if self.variant is not None and variant != self.variant:
            self.flush()
        if not self.times:
            self.first, self.variant, self.started = it, variant, time.monotonic()
        self.times.append(ms)
        if time.monotonic() - self.started >= BLOCK_S:
            self.flush()

    def flush(self) -> None:
        if self.times:
            t = self.times
            label = self.labels.get(self.variant, self.variant)
            print(f"iter {self.first:5d}-{self.first + len(t) - 1:<5d} {statistics.median(t):9.3f} ms/iter "
                  f"(min {min(t):.3f}, max {max(t):.3f}, {len(t):3d} calls)  live: {label}", flush=True)
        self.times = []
        self.variant = None


def run(args) -> int:
    from neurojit.compiler.errors import NeuroJITError

    if args.size < 2 or args.budget < 1 or args.seconds <= 0 or (args.iterations is not None and args.iterations < 1):
        raise NeuroJITError("--size must be at least 2, --budget and --iterations at least 1, --seconds positive")
    from neurojit.agent.budget import Budget
    from neurojit.agent.promote import GateConfig, GuardedLive, Promoter, Watcher
    from neurojit.agent.run import TuneOptions
    from neurojit.agent.store import ResultStore, RunStatus
    from neurojit.compiler import LiveKernel, compile_kernel
    from neurojit.evaluator.inputs import random_arrays

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = args.workers or max(1, cores - 1)
    with tempfile.TemporaryDirectory(prefix="neurojit-demo-", ignore_cleanup_errors=True) as tmp:
        text = matmul_kernel(args.size)
        kernel_path = str(Path(tmp) / f"matmul_{args.size}.mlir")
        Path(kernel_path).write_text(text)
        url = args.db or f"sqlite:///{Path(tmp) / 'demo.db'}"
        run_id = "demo-" + secrets.token_hex(3)

        naive = compile_kernel(text)
        a, b, c = random_arrays(naive.signature, args.seed)  # C is zeroed before every call
        live = LiveKernel(naive)
        guard = GuardedLive(live, every=16)
        store = ResultStore(url)
        promoter = Promoter(guard, store, run_id, GateConfig(bench_time_cap_s=1.5), kernel_text=text)
        labels = {naive.variant_hash: "naive"}
        st = _State()
        options = TuneOptions(model=args.model, budget=Budget(args.budget, max(5.0, args.seconds - 10.0)), db=url,
                              run_id=run_id, seed=args.seed, workers=workers, stop=st.stop)
        print(f"neurojit demo: C += A @ B, {args.size}x{args.size} f32, naive kernel in a loop; agent "
              f"({args.model}, {args.budget} candidates, {workers} evaluator worker{'s' * (workers != 1)}) in the "
              f"background; run {run_id} in {url}", flush=True)
        agent = threading.Thread(target=_agent, args=(kernel_path, options, st), name="agent", daemon=True)
        agent.start()
        watcher = Watcher(promoter, lambda e: st.lines.put(f"  gate  | {e.text}"), stop=st.stop,
                          agent_done=st.agent_done).start()

        times: list[tuple[str, float]] = []  # (variant, ms) per iteration
        blocks = _Blocks(labels)
        start = time.monotonic()
        interrupted = False
        try:
            it = 0
            while True:
                while not st.lines.empty():
                    print(st.lines.get_nowait(), flush=True)
                if st.error is not None or (args.iterations is not None and it >= args.iterations):
                    break
                now = time.monotonic()
                if now - start >= args.seconds:
                    break
                if watcher.settled and now - max(watcher.last_decision, start) >= SETTLE_S:
                    break
                variant = live.current.variant_hash
                if times and variant != times[-1][0]:
                    blocks.flush()
                    event = live.history[-1]
                    labels.setdefault(variant, _label(event))
                    print(f"==> {event.action.upper()} at iteration {it}: live is now {labels[variant]}", flush=True)
                c.fill(0.0)
                t0 = time.perf_counter()
                guard(a, b, c)
                ms = (time.perf_counter() - t0) * 1e3
                times.append((variant, ms))
                blocks.add(it, variant, ms)
                it += 1
                # a paced loop, as a real program's would be: at most half a core, the rest for the agent
                time.sleep(max(0.01, ms / 1e3))
        except KeyboardInterrupt:
            interrupted = True
        finally:
            st.stop.set()
        blocks.flush()
        watcher.stop(timeout=0 if interrupted else 10)  # a gate decision in flight finishes first
        agent.join(timeout=0 if interrupted else 30)  # st.stop ends the agent after its current batch
        if interrupted or not st.agent_done.is_set():
            # Left behind (a daemon) only on Ctrl-C or a batch that outlasts the wait; its evaluator workers
            # exit when their pipes close.
            why = "interrupted" if interrupted else "the loop's limit was reached before the agent finished"
            print(f"{why}: stopping; run {run_id} is marked stopped", flush=True)
            try:
                store.finish_run(run_id, RunStatus.STOPPED, f"demo: {why}")
            except NeuroJITError:
                pass  # the run was never created
        while not st.lines.empty():
            print(st.lines.get_nowait(), flush=True)
        if st.error is not None and not isinstance(st.error, KeyboardInterrupt):
            if isinstance(st.error, NeuroJITError):
                raise st.error
            raise RuntimeError(f"the agent failed: {st.error!r}") from st.error
        _summary(times, labels, naive.variant_hash, live, store, run_id, promoter)
        store.close()
        return 130 if interrupted else 0


def _label(event) -> str:
    """A short name for the variant a LiveKernel event made live, from the note the promoter gave it."""
    if event.action == "swap" and event.note.startswith("promote "):
        return event.note.split()[1]
    return event.variant[:12]


def _summary(times, labels, start_variant: str, live, store, run_id: str, promoter) -> None:
    print("\n== summary ==")
    before = [ms for v, ms in times if v == start_variant]
    final = live.current.variant_hash
    after = [ms for v, ms in times if v == final]
    if before:
        print(f"before: {statistics.median(before):9.3f} ms/iter  naive (median of {len(before)} iterations, while "
              "the agent and the gate shared the cores)")
    if final != start_variant and after and before:
        b, a = statistics.median(before), statistics.median(after)
        print(f"after:  {a:9.3f} ms/iter  {labels.get(final, final[:12])} (median of {len(after)} iterations)")
        gate = 1.0
        for d in promoter.decisions:  # the chain of promotions that led from the naive kernel to the live one
            if d.event.value == "promote" and d.identity not in promoter.guard.rolled_back:
                gate *= d.speedup
        print(f"speedup: {b / a:.2f}x in the loop (the gate's interleaved re-measurements: {gate:.2f}x; the loop's "
              "figure moves with the machine's load)")
    else:
        print("after:  no variant was promoted; the naive kernel stayed live")
    print("promotion history (results store):")
    try:
        records = store.promotions(run_id)
    except Exception:  # noqa: BLE001 - the store may be gone after an interrupt; the summary is best effort
        records = []
    for p in records:
        print(f"  {p.created_at:%H:%M:%S} {p.event.value.upper():8s} {p.identity[:10]}  {p.detail}")
    if not records:
        print("  (none)")
    print("live kernel history:")
    t0 = live.history[0].at
    for e in live.history:
        print(f"  +{e.at - t0:6.1f} s {e.action:8s} {labels.get(e.variant) or _label(e)}")
