"""Interleaved benchmarking: baseline and candidate alternate in one process, paired per round.

Each sample times `inner` back-to-back calls (enough for ~1 ms), the same number on both sides, rounds
alternate the order (AB, BA) to cancel drift, and the speedup is the median of per-round ratios with a 95% bootstrap CI; rounds continue
until the CI is within `ci_rel` of the estimate, `max_rounds`, or the time cap.

Timed calls must do real work: a candidate that returns early when its output "already looks computed"
would otherwise be timed on buffers that hold its own previous result. With `Buffers` (argument lists and
which of their arguments are outputs) call j of a sample gets slot j, with outputs of its own, so no call
sees another's result, and every output is reset to its initial contents, untimed, after each sample;
`check` compares the candidate's outputs with the baseline's from the same starting contents after some
rounds (spot checks), and a difference raises `TimedCallDiffers`. Plain argument lists are timed as they
are (no outputs to reset).

A baseline slower than `pooled_over_s` per call (a naive 1024^3 matmul takes ~10 s here) would make every
evaluation cost minutes. Then `pooled` is used instead: the baseline's per-call time is a property of the
kernel and the machine, so its samples are kept across the worker's evaluations (`BaselinePool`), and shared
with the other workers of the same machine through the host (pool.py: each lease to time brings the latest samples
any of them took, and a job's result takes the worker's back, those that could have been taken during the job and are
close to the baseline's time in the reference process and to the others: `pool._plausible`; a refresh by one
worker is then a refresh for all), and the candidate is timed on its own. A new baseline sample is taken while
the pool has fewer than `min_base` (or two, where they add up to `MIN_BASE_S`), and then, one per evaluation, once the newest is older than a sample's time
over `refresh_share`: re-timing (load and clock drift still enter; the estimate tightens as samples add up)
costs at most that share of the machine's time. (More samples while the median's CI was wider than +-`ci_rel`,
one per evaluation up to five, cost a 1024 matmul's tune two more naive calls of ~7 s each, the machine
stopped for each, early in a 3-minute run: the candidates' ranking rests on the same samples, and a loose
estimate shows in every speedup's CI.) The latest `keep` samples are the estimate. (The reference process's first call of the baseline is one of
them only where it ran alone, the machine otherwise idle meanwhile (reference._quiet); beside the baseline's
float64 twin, as it once ran, seeding the pool with it skewed the CIs up to 2x.) The
candidate is timed until its own median's CI is within +-`ci_rel` (or the time cap): more of its samples
would not narrow a speedup CI that the baseline's few samples bound as well. The speedup is the ratio of
medians, its CI a bootstrap over both sample sets (the baseline's spread is in it however few samples
there are), and `mode` says how many baseline samples it rests on and how many this evaluation took. The
spot checks compare with the baseline's output from the same starting contents, which the pool keeps
(with those contents, compared before reuse), or, for other contents with no sample due, which a build of
the baseline in an order-keeping loop order computes untimed (reorder.py: the reference process's check
showed it bit for bit; a sample only for the spot checks cost each evaluation a naive call).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

import numpy as np

from neurojit.compiler.dtypes import is_float

from .fresh import heap_filled


@dataclass(frozen=True)
class Measurement:
    """Baseline against candidate, timed in one process: medians and IQRs per call, and the speedup."""
    baseline_ms: float
    baseline_iqr_ms: float
    candidate_ms: float
    candidate_iqr_ms: float
    speedup: float
    speedup_ci: tuple[float, float]  # 95% bootstrap interval
    rounds: int
    inner: int  # candidate calls per timed sample
    mode: str  # "interleaved", or "pooled baseline (N samples)"
    buffers: int = 1  # distinct argument sets a sample's calls went through
    outputs_reset: bool = False  # outputs restored to their initial contents after every sample
    spot_checks: int = 0  # candidate outputs of timed calls compared with the baseline's
    working_set_bytes: int = 0  # bytes of the arrays the candidate's sample touches


class TimedCallDiffers(Exception):
    """A timed call of the candidate gave a result different from the baseline's on the same arguments."""


class TimedCallWrong(TimedCallDiffers):
    """... and a fresh call on those arguments (outputs as they started) gives it too: a wrong result on the
    benchmark's inputs, not one that depends on earlier calls."""


PAGE = 4096
STAGGER = 1088  # bytes between the page offsets of a staggered slot's arguments (17 cache lines)


def placed(a: np.ndarray, offset: int) -> np.ndarray:
    """A copy of `a` starting `offset` bytes past a page boundary (a multiple of 64: aligned for every dtype)."""
    buf = np.empty(a.nbytes + 2 * PAGE, np.uint8)
    start = (-buf.ctypes.data) % PAGE + offset
    view = buf[start:start + a.nbytes].view(a.dtype).reshape(a.shape)
    np.copyto(view, a)
    return view


def placement(slot: int, arg: int) -> int:
    """Where argument `arg` of timing slot `slot` starts in its page. Where a kernel's arrays sit relative to each
    other modulo 4 KiB decides how fast some kernels run: loads and stores whose addresses agree in their low
    12 bits are taken for dependent (4K aliasing). Numpy's fresh large arrays all start at one page offset; arrays
    from a long-lived heap, anywhere. A jam of 8 rows of a prefix sum (rows 8 KiB apart) ran 3.0 ms with its
    input and output at one offset and 0.32 ms with them 1 KiB apart (naive 0.88 ms either way): timed on heap
    copies it recorded 3.2x, and 0.3x is what a caller with fresh arrays got. So even slots put every argument at
    offset 0, odd slots stagger them by STAGGER bytes, and a sample's calls cover both."""
    return 0 if slot % 2 == 0 else (arg * STAGGER) % PAGE


@dataclass
class Buffers:
    """Argument lists for timed calls, one per call slot, and which arguments are outputs (reset after every
    sample). Slot j starts with the contents of slot j % `distinct` (inputs may be shared between slots; each
    slot has its own outputs), which is what the spot checks compare across the two sides."""
    sets: list[list[np.ndarray]]
    outputs: tuple[int, ...] = ()
    distinct: int = 0  # 0: every slot is distinct
    initial: list[list[np.ndarray]] = field(init=False)

    def __post_init__(self) -> None:
        self.initial = [[s[o].copy() for o in self.outputs] for s in self.sets]
        self.distinct = self.distinct or len(self.sets)

    @property
    def capacity(self) -> int:
        """Most calls a sample may make: one per slot when outputs must never hold an earlier result."""
        return len(self.sets) if self.outputs else 1000

    @classmethod
    def copies(cls, signature, args: list[np.ndarray], budget_bytes: int = 8 << 20) -> Buffers:
        """Slots of copies of `args` (as many as fit `budget_bytes`, 1 to 8), the signature's outputs reset after
        every sample: a variant that skips work when its output already looks computed gains nothing."""
        outputs = tuple(i for i, a in enumerate(signature.args) if a.role == "out")
        slots = max(1, min(8, budget_bytes // max(1, sum(a.nbytes for a in args))))
        return cls([[placed(a, placement(j, i)) for i, a in enumerate(args)] for j in range(slots)], outputs)

    def reset(self, n: int) -> None:
        for s, init in zip(self.sets[:n], self.initial[:n]):
            for o, v in zip(self.outputs, init):
                np.copyto(s[o], v)

    def bytes_touched(self, n: int) -> int:
        """Bytes of distinct arrays the first `n` slots reach."""
        seen = {id(a): a.nbytes for s in self.sets[:n] for a in s}
        return sum(seen.values())


def fresh_seed() -> int:
    """A seed for timing inputs from the operating system's entropy: the input sets an evaluation's `--seed`
    gives are public, and a candidate that holds their results in a table would be timed on a lookup."""
    return secrets.randbits(63)


def _buffers(args) -> Buffers:
    return args if isinstance(args, Buffers) else Buffers([list(args)])


def _once(fn, args, inner: int) -> float:
    t0 = time.perf_counter()
    for _ in range(inner):
        fn(*args)
    return (time.perf_counter() - t0) / inner


RETAKES = 3  # times a sample during which the timing thread was off its core is taken again


def sample(fn, bufs: Buffers, inner: int, retakes: int = RETAKES) -> float:
    """Seconds per call over `inner` back-to-back calls, call j on slot j (mod the slots); outputs not reset.

    A sample during which the calling thread was off its core for more than 5% of it (+ 50 us) is taken again
    (outputs reset first), up to `retakes` times: on a loaded machine the scheduler takes the core away for
    whole slices of milliseconds, and a long call is hit far more often than a short one, so a 3 ms baseline
    against a 0.6 ms candidate had its median inflated and the speedup overstated 1.7-3.5x (a helper's
    PolyBench sweep beside another tune). The thread's CPU time (user + system) against the wall time tells
    such a sample; a parallel kernel's caller runs tasks and spins while it waits, so it stays on its core too."""
    sets = bufs.sets
    n = len(sets)
    for attempt in range(retakes + 1):
        if attempt:
            bufs.reset(inner)
        with heap_filled():  # fresh heap blocks hold nothing an earlier call left (fresh.py)
            c0, t0 = time.thread_time(), time.perf_counter()
            for j in range(inner):
                fn(*sets[j % n])
            wall = time.perf_counter() - t0
        if wall - (time.thread_time() - c0) <= 0.05 * wall + 50e-6:
            break
    return wall / inner


def time_calls(fn, args, repeat: int) -> list[float]:
    """Milliseconds of each of `repeat` calls of `fn(*args)`, after one warm-up call (pages in code and data)."""
    fn(*args)
    return [_once(fn, args, 1) * 1e3 for _ in range(repeat)]


def calls_per_sample(probe: float, cap: int) -> int:
    """Calls per sample: enough for ~1 ms, within the buffers' capacity."""
    return max(1, min(1000, cap, int(1e-3 / max(probe, 1e-9))))


def _spot(check, bb: Buffers, cb: Buffers, n_b: int, n_c: int, cand=None) -> int:
    """Compare the candidate's first and last call of the sample just timed with the baseline's call on the
    same starting contents, where the baseline made one; return how many were compared. A difference is told
    apart (with `cand`): a fresh call of the candidate on those arguments, its outputs as they started, that
    differs too is a wrong result on these inputs (TimedCallWrong), not an earlier call's (TimedCallDiffers)."""
    if check is None:
        return 0
    compared = 0
    for j in sorted({0, n_c - 1}):
        k = j % cb.distinct
        if k >= n_b or k >= len(bb.sets):
            continue
        problem = check(bb.sets[k], cb.sets[j])
        if problem:
            if cand is not None:
                fresh = [a.copy() for a in cb.sets[j]]
                for o, start in zip(cb.outputs, cb.initial[j % len(cb.initial)]):
                    fresh[o] = start.copy()
                cand(*fresh)
                again = check(bb.sets[k], fresh)
                if again:
                    raise TimedCallWrong(f"timed call {j + 1} of a sample, and a fresh call on its arguments: {again}")
            raise TimedCallDiffers(f"timed call {j + 1} of a sample: {problem}")
        compared += 1
    return compared


def interleaved(base, cand, base_args, cand_args, *, check=None, warmup=2, min_rounds=5, max_rounds=200,
                time_cap_s=3.0, ci_rel=0.03, seed=0) -> Measurement:
    """`base_args`/`cand_args`: `Buffers` (rotated and reset), or one plain argument list each."""
    bb, cb = _buffers(base_args), _buffers(cand_args)
    for _ in range(warmup):
        sample(base, bb, 1)
        sample(cand, cb, 1)
        bb.reset(1)
        cb.reset(1)
    # the same number of calls on both sides, so that both pay the same share of first-call cache misses
    inner = calls_per_sample(min(sample(base, bb, 1), sample(cand, cb, 1)), min(bb.capacity, cb.capacity))
    bb.reset(1)
    cb.reset(1)
    tb, tc = [], []
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    ci = (float("nan"), float("nan"))
    checks = 0
    while True:
        r = len(tb)
        if r % 2 == 0:
            tb.append(sample(base, bb, inner))
            tc.append(sample(cand, cb, inner))
        else:
            tc.append(sample(cand, cb, inner))
            tb.append(sample(base, bb, inner))
        rounds = len(tb)
        stop = False
        if rounds >= min_rounds:
            ratios = np.array(tb) / np.array(tc)
            boots = np.median(rng.choice(ratios, (200, rounds)), axis=1)
            ci = (float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5)))
            est = float(np.median(ratios))
            stop = ((ci[1] - ci[0]) / 2 <= ci_rel * est or rounds >= max_rounds
                    or time.perf_counter() - start > time_cap_s)
        if r < 2 or r % 8 == 0 or stop:
            checks += _spot(check, bb, cb, inner, inner, cand)
        bb.reset(inner)
        cb.reset(inner)
        if stop:
            break
    q = lambda x: np.percentile(np.array(x) * 1e3, [25, 50, 75])  # noqa: E731
    b25, b50, b75 = q(tb)
    c25, c50, c75 = q(tc)
    return Measurement(float(b50), float(b75 - b25), float(c50), float(c75 - c25),
                       float(np.median(np.array(tb) / np.array(tc))), ci, len(tb), inner, "interleaved",
                       min(inner, len(cb.sets)), bool(cb.outputs), checks, cb.bytes_touched(inner))


def _median_ci_rel(samples, rng) -> float:
    """Half-width of the 95% bootstrap CI of the samples' median, relative to the median."""
    t = np.array(samples)
    if len(t) < 2:
        return float("inf")
    lo, hi = np.percentile(np.median(rng.choice(t, (200, len(t))), axis=1), [2.5, 97.5])
    return float((hi - lo) / 2 / np.median(t))


@dataclass
class BaselinePool:
    """A slow baseline's per-call samples (seconds) on this machine (this worker's, kept across its
    evaluations, and those the host passed on from the others), with when each was taken, and the baseline's
    outputs from one starting state of slot 0 (for spot checks; this worker's own)."""
    samples: list[float] = field(default_factory=list)
    taken: list[float] = field(default_factory=list)  # perf_counter() at each sample
    result: tuple[list[np.ndarray], list[np.ndarray]] | None = None  # (slot 0's arguments before, outputs after)

    def merge(self, others) -> None:
        """Add samples other workers of this machine took ((seconds, taken) pairs; `taken` is
        `time.perf_counter()`, CLOCK_MONOTONIC, the same clock in every process here), in the order taken."""
        have = set(self.taken)
        new = list({float(t): (float(s), float(t)) for s, t in others if float(t) not in have}.values())
        if new:
            both = sorted([*zip(self.samples, self.taken), *new], key=lambda x: x[1])
            self.samples, self.taken = [s for s, _ in both], [t for _, t in both]

    def keep_latest(self, n: int) -> None:
        self.samples, self.taken = self.samples[-n:], self.taken[-n:]

    def pairs(self, keep: int) -> list[list[float]]:
        """The latest `keep` samples as (seconds, taken) pairs, for the other workers (`merge`)."""
        return [[s, t] for s, t in zip(self.samples[-keep:], self.taken[-keep:])]

    def stale(self, *, refresh_share: float, keep: int) -> bool:
        """Whether the newest sample is older than a sample's time over `refresh_share` (re-timing then costs at
        most that share of the time)."""
        return time.perf_counter() - self.taken[-1] > float(np.median(self.samples[-keep:])) / refresh_share

    def take(self, base, bb: Buffers) -> None:
        """One timed baseline call on slot 0 (its outputs reset first), remembered with its result."""
        bb.reset(1)
        before = [a.copy() for a in bb.sets[0]]
        self.samples.append(sample(base, bb, 1))
        self.taken.append(time.perf_counter())
        self.result = (before, [bb.sets[0][o].copy() for o in bb.outputs])

    def compute(self, same, bb: Buffers) -> None:
        """Slot 0's baseline outputs from its starting contents, by `same` (a build giving the baseline's outputs
        bit for bit), untimed: no sample."""
        bb.reset(1)
        before = [a.copy() for a in bb.sets[0]]
        same(*bb.sets[0])
        self.result = (before, [bb.sets[0][o].copy() for o in bb.outputs])

    def restore(self, bb: Buffers) -> bool:
        """Put the remembered baseline outputs into slot 0 if its starting contents are the remembered ones."""
        if self.result is None:
            return False
        before, outs = self.result
        if len(before) != len(bb.sets[0]) or not all(
                a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=is_float(a.dtype))
                for a, b in zip(before, bb.sets[0])):
            return False
        for o, v in zip(bb.outputs, outs):
            np.copyto(bb.sets[0][o], v)
        return True


POOL_KEEP = 8  # the latest samples a pooled estimate rests on
# ... and it rests on `min_base` samples at first, or on two once they add up to this many seconds: a call that long
# averages its own jitter over thousands of scheduler ticks (a naive 1024^3 matmul, ~7 s a call: two samples
# instead of three saved a 2-minute tune one naive call, the machine stopped for it)
MIN_BASE_S = 10.0


def pooled(pool: BaselinePool, base, cand, base_args, cand_args, *, check=None, same=None, min_base=3, ci_rel=0.03,
           refresh_share=0.1, keep=POOL_KEEP, warmup=2, min_rounds=5, max_rounds=200, time_cap_s=3.0, seed=0,
           refresh=True) -> Measurement:
    """Speedup against a slow baseline whose per-call samples on this machine persist in `pool`. `same`, where
    given, is a faster build giving the baseline's outputs bit for bit: the spot checks' reference comes from
    it when no sample is due (else from one more timed baseline call, ~7 s for a naive 1024^3 matmul).
    `refresh`: whether this evaluation may take a sample beyond the first `min_base` when the estimate is stale
    (the host lets one lease holder at a time: two timing from the same samples each took one, ~7 s each of a
    machine stopped for them)."""
    bb, cb = _buffers(base_args), _buffers(cand_args)
    taken = 0

    def enough() -> bool:
        return len(pool.samples) >= min_base or (len(pool.samples) >= 2 and sum(pool.samples[-keep:]) >= MIN_BASE_S)

    while not enough() or (  # beyond that, at most one per evaluation: the cost is spread
            refresh and not taken and pool.stale(refresh_share=refresh_share, keep=keep)):
        pool.take(base, bb)
        taken += 1
    if not taken and not pool.restore(bb):  # other starting contents: the spot checks need a fresh result
        if same is not None:
            pool.compute(same, bb)
        else:
            pool.take(base, bb)
            taken += 1
    # slot 0 now holds the baseline's outputs from its starting contents, for the spot checks
    for _ in range(warmup):
        sample(cand, cb, 1)
        cb.reset(1)
    n_c = calls_per_sample(sample(cand, cb, 1), cb.capacity)
    cb.reset(1)
    tc = []
    checks = 0
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    while True:
        tc.append(sample(cand, cb, n_c))
        # enough once the candidate's own median is as sure as the speedup needs (+-ci_rel): more of its
        # samples would not narrow a CI that the baseline's samples bound as well
        stop = len(tc) >= min_rounds and (len(tc) >= max_rounds or time.perf_counter() - start >= time_cap_s / 2
                                          or _median_ci_rel(tc, rng) <= ci_rel)
        if len(tc) <= 2 or len(tc) % 8 == 0 or stop:
            checks += _spot(check, bb, cb, 1, n_c, cand)
        cb.reset(n_c)
        if stop:
            break
    bb.reset(1)
    tb = np.array(pool.samples[-keep:])
    boots = (np.median(rng.choice(tb, (200, len(tb))), axis=1) /
             np.median(rng.choice(np.array(tc), (200, len(tc))), axis=1))
    q = lambda x: np.percentile(np.array(x) * 1e3, [25, 50, 75])  # noqa: E731
    b25, b50, b75 = q(tb)
    c25, c50, c75 = q(tc)
    return Measurement(float(b50), float(b75 - b25), float(c50), float(c75 - c25), float(b50 / c50),
                       (float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5))), len(tc), n_c,
                       f"pooled baseline ({len(tb)} samples on this machine, {taken} taken now)",
                       min(n_c, len(cb.sets)), bool(cb.outputs), checks, cb.bytes_touched(n_c))
