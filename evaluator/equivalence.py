"""Equivalence, inside a worker: the candidate on every pair of the plan, against the trusted references.

Per pair, cheapest first, the first failure rejects: the checked build (bounds, allocator balance, fresh
memory poisoned) against guard pages (guard.py), then the normal build with every argument ending exactly at a
guard page (each build runs against guard pages, so one that behaves only when checked is seen), its inputs
compared byte for byte and its outputs by the rules of compare.py; then the checked build's outputs (a
difference only there is a read of uninitialised memory). The checked build's arguments start right after a
guard page on the first pair of each input set and end at one on its other pairs: an access past either end
faults, and each input set meets both placements, the normal build's end placement on every pair (a copy, no
more calls: the start placement once cost one more checked call per input set, ~1.5 s of a 1024 matmul's
evaluation; what the checked build's own end placement saw, its bounds checks see wherever an argument lies,
and the normal build at the end). An unoptimised build (O0: no LLVM inlining or other passes) runs the
first pair (typical data) and the first overflow-prone one (`wrap`/`limit`: where LLVM may exploit `nsw` or
fast-math flags), or, for a candidate that makes value promises to the optimiser (promises.py), the first pair
of every input set, and must agree with the references as the O3 build did, by the same rules: a difference
means the result depends on the optimiser (undefined behaviour: uninitialised reads, deleted effects).
After all pairs, the first pair runs twice more on fresh arguments: different results from the same
arguments are `nondeterministic` or, when the two agree with each other but not with the first call,
`caches_result`. The same diagnosis runs before a wrong result is reported, so that a candidate answering
from an earlier call is named for what it does. Every rejection names the pair and the seed (inputs.py).
"""

from __future__ import annotations

import math
import time
import zlib

import numpy as np

from neurojit.compiler.dtypes import is_float

from .compare import (BASELINE_ERRORS, HALF_ROUNDINGS, HALVES, NOISE_TIMES, TYPICAL_LEAST, Comparison, compare,
                      own_tolerance, tolerance, typical, typical_depth, ulp_errors, underflow_floor, within)
from .fresh import heap_filled
from .guard import Arena, Placement, fault_handler
from .inputs import CLASSED, CROSS, NEAR_RANGE, NEED_EXACT, NUDGED, ORDINARY, TYPICAL
from .inputs import earlier as inputs_earlier
from .record import Reason, Rejected


FED_BACK_WIDEN = 4.0  # the fed-back call's bound, widened: its outputs start from the candidate's rounding
FED_BACK_CALLS = 4  # calls on the candidate's own outputs that must give its first call's bits (an overwriting baseline)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    x, y = np.ascontiguousarray(a).reshape(-1).view(np.uint8), np.ascontiguousarray(b).reshape(-1).view(np.uint8)
    if x.size != y.size:
        return False
    word = next(w for w in (8, 4, 2, 1) if x.size % w == 0)  # (compared a word at a time: the same bits, sooner)
    return np.array_equal(x.view(f"u{word}"), y.view(f"u{word}"))


def _bit_rows(a: np.ndarray) -> np.ndarray:
    """Each element's bytes, one row per element."""
    return np.ascontiguousarray(a).reshape(-1).view(np.uint8).reshape(a.size, a.itemsize)


def _differing(a: np.ndarray, b: np.ndarray) -> str:
    """Where two arrays' bits differ: how many elements, and the first (flat index, both values)."""
    idx = np.flatnonzero((_bit_rows(a) != _bit_rows(b)).any(axis=1))
    if not idx.size:
        return "no element differs"
    i = int(idx[0])
    return (f"{idx.size} of {a.size} elements differ in their bits, the first at flat index {i}: "
            f"{a.reshape(-1)[i]!r} on that call, {b.reshape(-1)[i]!r} on the first")


def _varied(a: np.ndarray) -> bool:
    """Whether an array holds more than one bit pattern (NaN everywhere is one value, not a varied output)."""
    bits = _bit_rows(a)
    return bool((bits != bits[0]).any())


def _digest(arrays) -> int:
    """A checksum of the outputs, to recognise an earlier call's result when diagnosing a wrong one."""
    h = 0
    for a in arrays:
        h = zlib.crc32(np.ascontiguousarray(a).reshape(-1).view(np.uint8), h)
    return h


class Equivalence:
    """The equivalence stage of one candidate: `run()` returns the check's detail or raises Rejected."""

    def __init__(self, session, config, base, sig, builds, allocator, refs, budget, promises=(), reversed_loops=0,
                 dependence: str | None = "not analysed"):
        self.session, self.config, self.base, self.sig = session, config, base, sig
        # where the memory behaviour depends on the data (oblivious.py), the first dependence found, and the checked
        # build runs on every pair; None: independent of the data, checked on a few pairs
        self.dependence = dependence
        self.promises = list(promises)  # value promises to the optimiser (promises.py): O0 on every input set
        self.reversed_loops = reversed_loops  # parallel loops the O0 build runs in reverse (task_order.py)
        self.builds, self.allocator, self.refs, self.budget = builds, allocator, refs, budget
        self.outs = [i for i, a in enumerate(sig.args) if a.role == "out"]
        self.ins = [i for i, a in enumerate(sig.args) if a.role == "in"]
        # each output's tolerance by the depth of the sums its value flows from (reference.py: `depths`), the
        # largest (the whole kernel's) where not known
        depths = refs.info.get("depths") or [base.depth] * len(self.outs)
        self.depths = dict(zip(self.outs, depths))
        self.rtols = {o: tolerance(sig.args[o].dtype, d, config.tolerance_factor) for o, d in self.depths.items()}
        # against the baseline (no exact result; the benchmark's spot checks): a half type's own eps (compare.py
        # `own_tolerance`: a baseline summing in f16 errs that far from any other order)
        self.owns = {o: max(t, own_tolerance(sig.args[o].dtype, self.depths[o], config.tolerance_factor))
                     for o, t in self.rtols.items()}
        if not refs.exact:
            self.rtols = self.owns
        self.rtol = max(self.rtols.values(), default=0.0)
        self.atol = max(underflow_floor(a.dtype, base.depth) for a in sig.outputs)
        self.errs = (0.0, 0.0)
        self.cand_s = math.inf  # fastest normal-build call seen, for sizing the benchmark's buffers
        self.last_cpu_s = math.inf  # the calling thread's CPU seconds in the last normal-build call (a worker the
        # pool's gate stops while another times spends none: its wall time then said nothing of the candidate)
        # the least CPU time of a normal-build call on each input set's pairs (checks.py: a candidate slow on some
        # data class)
        self.class_cpu_s: dict[tuple[str, str, int], float] = {}  # (set, state, cross's input): least CPU s
        self.digests: list[int] = []
        self.first: list[np.ndarray] = []  # the first pair's outputs, for the repeat check
        self.arena = Arena(sig) if config.guard_pages else None
        self.handler = fault_handler() if config.guard_pages else None

    @property
    def tol_text(self) -> str:
        if not self.rtol:
            return "exact equality (integer outputs)"
        # outputs computed without the deepest sum have tighter tolerances: named with theirs
        own = "".join(f", %{self.sig.args[o].name} {self.rtols[o]:.2e} (depth {d})" for o, d in self.depths.items()
                      if self.rtols[o] and d < self.base.depth)
        half = self.refs.exact and any(np.dtype(a.dtype).name in HALVES for a in self.sig.outputs)
        eps = "f32's eps" if half else "eps"
        plus = f" + {HALF_ROUNDINGS:g} half-precision ulps" if half else ""
        return (f"tolerance {self.rtol:.2e} relative (= {self.config.tolerance_factor:g} x {eps} x "
                f"sqrt({self.base.depth} + 1){plus}, reduction depth {self.base.depth}{own}) against the "
                + (f"exact ({self.refs.info.get('exact_kind', 'float64')}) result, widened up to {BASELINE_ERRORS:g}x "
                   "where the baseline came close to it" if self.refs.exact
                   else "baseline")
                + (f" and at least {NOISE_TIMES:g}x each element's rounding noise (the kernel with random rounding)"
                   if self.refs.exact and self.refs.info.get("noise") else ""))

    def compare(self, got, want, pair=None, widen: float = 1.0, o: int | None = None) -> Comparison:
        """compare.compare for output `o` (its argument's position) with what the reference process worked out for
        it (`want`: RefSet.outputs); `widen`: the tolerance that many times larger (the benchmark's spot checks of a
        kernel with rounding noise)."""
        b, r, m, reach, bound, noise, unknown = want
        if unknown is not None and np.any(unknown):  # rule 6 before rule 1's worked-out bounds too: those elements
            got = np.where(unknown, b, got)  # as the baseline's (an exact Inf there bounds no finite value)
        if _same_bits(got, b):  # bit-identical to the baseline passes every rule (compare.py)
            return Comparison(None, 0.0, 0.0, "")
        if bound is not None:  # rule 1's bounds, worked out by the reference process: a finite output is judged
            c = within(got, r, bound)  # against them alone, as `compare` would
            if c is not None:
                return c
        edge = self._overflows(m if reach is None else reach, pair, got.dtype, r, b)
        if noise is not None and edge is not True and np.isnan(noise).any():  # rounding alone gave NaN/Inf there
            edge = np.isnan(noise) if edge is None or edge is False else (np.asarray(edge) | np.isnan(noise))
        rtol = self.rtols.get(o, self.rtol) if r is not None else self.owns.get(o, self.rtol)
        return compare(got, b, rtol * widen, r, self.atol, magnitude=m, overflows=edge,
                       launders=self.refs.info.get("launders", True), noise=noise, unknown=unknown)

    def _overflows(self, magnitude, pair, dtype, exact=None, baseline=None):
        """compare's rule 1 edge: where a correct order of evaluation may overflow a partial sum the baseline's
        did not (none in a kernel without reductions). By the terms' magnitudes (or, where a constant scales
        down, the magnitudes the value passed through: twins.reach_twin), for a kernel of sums, products and
        maxima (twins.py: not where a
        minimum or a select other than a maximum was rewritten; divisions by constants or by an input's
        elements, as a triangular solve's); else, for a kernel with reductions: on a pair of near-limit values,
        and at an element whose exact value reaches the largest over the reduction depth + 1 (below that, no
        order of adding depth + 1 terms of its size overflows), but on `big` or `magnitude`
        (inputs.NEAR_RANGE: built so that no order of a sum of products overflows) only where the baseline's
        own output is non-finite somewhere the exact result is finite (a silu(A B) with +Inf put past
        1.4e36 on `big` passed by the element's value). Not on a whole pair for the baseline overflowing
        elsewhere: an Inf put wherever the value was past 1e33 passed that way."""
        if not is_float(dtype):  # (integers compare exactly: no edge; an argmax's index beside its value)
            return None
        largest = float(np.finfo(dtype).max)
        if magnitude is not None and self.refs.info.get("magnitude_sums"):
            if self.base.depth <= 1:  # no sum to reorder: a + b of opposite signs never overflows though
                return None  # |a| + |b| may pass the range (a NaN put there on `limit` data passed)
            return np.asarray(magnitude, np.float64) >= largest
        if magnitude is not None or pair is None or self.base.depth <= 1:
            return None
        if pair.set in NEED_EXACT:
            return True
        if exact is None or not self.refs.exact:
            return None
        with np.errstate(all="ignore"):
            finite = np.isfinite(exact)
            if pair.set in NEAR_RANGE and (baseline is None or not (finite & ~np.isfinite(baseline)).any()):
                return None  # built so that no order overflows, and the baseline's did not
            return finite & (np.abs(exact) >= largest / (self.base.depth + 1))

    def _args(self, pair):
        return self.refs.args(pair, len(self.sig.args))

    def _call(self, build: str, args, placement: Placement = Placement.END) -> list[np.ndarray]:
        """One call of `build` on copies of `args`, its arguments after the call. With guard pages on, every
        build runs in the arena (`placement`), not only the checked one: a candidate that tells the checked
        build apart (a read of the memory it poisons) and overruns a buffer only elsewhere still meets a
        guard page. Outputs are copied out (the arena is reused); inputs may be views valid until the next call."""
        if self.arena is None:
            run = [np.array(a) for a in args]
            with heap_filled():
                c0, t0 = time.thread_time(), time.perf_counter()
                self.builds[build](*run)
        else:
            views = self.arena.load(placement, args)
            with self.handler.armed(self.arena.table(placement)), heap_filled():
                c0, t0 = time.thread_time(), time.perf_counter()
                self.builds[build](*views)
            outs = set(self.outs)
            run = [np.array(v) if i in outs else v for i, v in enumerate(views)]
        if build == "normal":
            self.cand_s = min(self.cand_s, time.perf_counter() - t0)
            self.last_cpu_s = time.thread_time() - c0
        return run

    def _run(self, pair, args) -> list[np.ndarray]:
        return self._call("normal", args)

    def _inputs_kept(self, run, args, where: str) -> None:
        for j in self.ins:
            if not _same_bits(run[j], args[j]):
                raise Rejected(Reason.WRITES_INPUT, f"input %{self.sig.args[j].name} changed during the call ({where})")

    def _checked(self, pair, args, where: str, placement: Placement) -> list[np.ndarray]:
        """One call of the checked build (guarded in `placement` when guard pages are on): its arguments after the
        call (outputs copied; inputs may be views valid until the next call)."""
        run = self._call("checked", args, placement)
        leaked, bad = self.allocator.end_call()
        if bad:
            raise Rejected(Reason.UNSAFE_MEMORY, f"freed memory that was not allocated or already freed "
                                                 f"({bad} bad free(s); {where}): double free")
        if leaked:
            raise Rejected(Reason.UNSAFE_MEMORY, f"{leaked} allocation(s) still live after the call ({where}): leak")
        self._inputs_kept(run, args, where)
        return run

    def _poison_agrees(self, checked, got, want, where: str, pair=None) -> None:
        for o, w in zip(self.outs, want):
            c = None if _same_bits(checked[o], got[o]) else self.compare(checked[o], w, pair, o=o)
            if c is not None and c.problem:
                raise Rejected(Reason.UNSAFE_MEMORY, f"output %{self.sig.args[o].name} changes when fresh "
                                                     f"memory is poisoned ({where}: {c.where}): reads "
                                                     "uninitialised memory")

    def differential_pairs(self, pairs) -> list[int]:
        """Indices of the pairs the O0 build runs: the first, and the first overflow-prone set's; the first of
        every input set where the candidate promises the optimiser something about its values."""
        if self.promises:
            firsts: dict[str, int] = {}
            for i, p in enumerate(pairs):
                firsts.setdefault(p.set, i)
            return sorted(firsts.values())
        over = next((i for i, p in enumerate(pairs) if p.set in ("wrap", "limit")), None)
        return [0] + ([over] if over else [])

    @property
    def oblivious(self) -> bool:
        return self.dependence is None

    def checked_pairs(self, pairs) -> set[int]:
        """Indices of the pairs the checked build runs: every pair; but where the candidate's accesses, branches
        and allocations do not depend on the data (oblivious.py), the same on every pair of a placement, the first
        pair of each output state (the poisoned memory's reads then show against outputs that start as zeros, as
        random values and as an earlier call left them) and the second pair (the first starts right after a guard
        page, the others end at one)."""
        if not self.oblivious:
            return set(range(len(pairs)))
        firsts: dict[str, int] = {}
        for i, p in enumerate(pairs):
            firsts.setdefault(p.state, i)
        return {*firsts.values(), *([1] if len(pairs) > 1 else [])}

    def _differential(self, pair, args, want, where: str) -> None:
        """The O0 build on `pair` must agree with the references as the O3 build did (same rules)."""
        self.session.stage("differential", self.budget(40, 2), f"{where}; unoptimised (O0) build", pair.id)
        run = self._call("o0", args)
        self._inputs_kept(run, args, f"{where}, O0 build")
        for o, w in zip(self.outs, want):
            c = self.compare(run[o], w, pair, o=o)
            if c.problem:
                order = (f", which also runs its {self.reversed_loops} parallel loop(s) last iteration first, "
                         if self.reversed_loops else " ")
                raise Rejected(Reason.UNDEFINED_BEHAVIOUR, f"output %{self.sig.args[o].name} of the unoptimised "
                                                           f"(O0) build{order}differs from the optimised (O3) build's "
                                                           f"beyond the comparison rules ({where}: {c.where}): the "
                                                           "result depends on the optimiser (undefined behaviour, "
                                                           "e.g. a read of memory nobody wrote" + self._promised()
                                                           + ")" + (" or on the order of a parallel loop's iterations "
                                                                    "(a task reading what another writes: tasks may "
                                                                    "run in any order)" if self.reversed_loops else ""))

    def _promised(self) -> str:
        if not self.promises:
            return ""
        more = f" and {len(self.promises) - 1} more" if len(self.promises) > 1 else ""
        return f", or a value breaking a promise made to the optimiser: {self.promises[0]}{more}"

    def run(self) -> str:
        nudged = [p for p in self.refs.pairs if p.set == NUDGED]  # after the repeats (`_repeat`), not here
        pairs = [p for p in self.refs.pairs if p.set != NUDGED]
        seed = self.config.seed
        guarded = self.arena is not None
        differential = set(self.differential_pairs(pairs)) if "o0" in self.builds else set()
        starts: set[str] = set()  # input sets already run in the start placement
        checking = self.checked_pairs(pairs)
        samples: dict[int, list] = {}  # rule 5 (compare.py): per output, errors in ulps on the random sets
        more: dict[int, list] = {}  # ... and on other ordinary data, for an output with too few elements
        by_set: dict[tuple[int, str], list] = {}  # ... and per (output, input set) of ordinary values, held alone
        for i, pair in enumerate(pairs):
            where = pair.describe(seed)
            args = self._args(pair)
            want = self.refs.outputs(pair, len(self.outs), self.rtols, self.atol)
            # the checked build starts right after a guard page on the first pair of each input set (of an oblivious
            # candidate: on its first checked pair), and ends at one on the others (the normal build always ends at one)
            first = pair.set not in starts if not self.oblivious else not starts
            place = Placement.START if guarded and first else Placement.END
            words = f"{where}; {place.words}" if guarded else where
            checked = None
            if i in checking:
                starts.add(pair.set)
                self.session.stage("checked_run", self.budget(20, 2), words, pair.id)
                checked = self._checked(pair, args, words, place)
            self.session.stage("equivalence", self.budget(4, 2), where, pair.id)
            got = self._run(pair, args)
            key = (pair.set, pair.state, pair.rep if CROSS in pair.set else 0)  # (a cross: which input it crosses)
            self.class_cpu_s[key] = min(self.class_cpu_s.get(key, math.inf), self.last_cpu_s)
            self._inputs_kept(got, args, where)
            digest = _digest(got[o] for o in self.outs)
            for o, w in zip(self.outs, want):
                c = self.compare(got[o], w, pair, o=o)
                classed = pair.set in CLASSED or (pair.set == "outliers" and self.depths[o] <= 1)
                if ((classed or pair.set in ORDINARY) and w[1] is not None and is_float(got[o].dtype)
                        and not c.problem):
                    errs = (where, *ulp_errors(got[o], w[0], w[1], np.random.default_rng((seed, i, o)), blocks=True))
                    if pair.set in (*TYPICAL, *ORDINARY):
                        (samples if pair.set in TYPICAL else more).setdefault(o, []).append(errs)
                    if classed:  # (an elementwise output on 'outliers' too: its ordinary elements are ordinary
                        # data, and a bound scaled by the outlier hid a cut of them to bf16)
                        by_set.setdefault((o, pair.set), []).append(errs)
                if math.isfinite(c.max_abs_err):
                    self.errs = (max(self.errs[0], c.max_abs_err), max(self.errs[1], c.max_rel_err))
                if c.problem:
                    self._diagnose(i, digest, [got[o] for o in self.outs], where)
                    name = self.sig.args[o].name
                    if c.problem == "nonfinite":
                        raise Rejected(Reason.NONFINITE, f"output %{name} has NaN/Inf where the exact result is "
                                                         f"finite and the baseline's is too ({where}: {c.where})")
                    how = (f"differs beyond the {self.tol_text}" if self.rtols.get(o, self.rtol) else
                           "differs from the baseline's (integer outputs compare exactly, wrapping as it wraps)")
                    raise Rejected(Reason.WRONG_RESULT, f"output %{name} {how} ({where}: {c.where}; "
                                                        f"max abs err {c.max_abs_err:.3g})")
            if checked is not None:
                self._poison_agrees(checked, got, want, words, pair)
            if i in differential:
                self._differential(pair, args, want, where)
            self.digests.append(digest)
            if i == 0:
                self.first = [got[o] for o in self.outs]
        # a kernel whose own algorithm carries rounding past its tolerance on ordinary data (the rounding noise the
        # reference measured: a triangular solve, an unpivoted LU) has errors correlated down the recurrence: one
        # set's, or the few percent furthest down it, may be many times the baseline's in a correct reordering
        amplifies = self.refs.info.get("noise_spread", 0.0) > 1.0
        for o, got in samples.items():
            few = sum(c.size for _, c, _, _ in got) < TYPICAL_LEAST
            got = got + more.get(o, []) if few else got
            why = typical(np.concatenate([c for _, c, _, _ in got]), np.concatenate([b for _, _, b, _ in got]),
                          typical_depth(self.sig.args[o].dtype, self.depths[o]), np.concatenate([k for _, _, _, k in got]),
                          tail=not amplifies)
            if why is not None:  # named by the pair where the candidate's typical error was largest
                worst = max(got, key=lambda x: float(np.median(x[1])) if x[1].size else 0.0)[0]
                raise Rejected(Reason.WRONG_RESULT, f"output %{self.sig.args[o].name} is within each element's "
                                                    f"bound but {why}, over the {', '.join(TYPICAL)} input sets"
                                                    f"{' and the other ordinary ones' if few else ''} "
                                                    f"(largest on {worst})")
        for (o, name), got in by_set.items() if not amplifies else ():  # each set alone: a cut gated on its
            # values is all of its errors
            why = typical(np.concatenate([c for _, c, _, _ in got]), np.concatenate([b for _, _, b, _ in got]),
                          typical_depth(self.sig.args[o].dtype, self.depths[o]),
                          np.concatenate([k for _, _, _, k in got]))
            if why is not None:
                raise Rejected(Reason.WRONG_RESULT, f"output %{self.sig.args[o].name} is within each element's "
                                                    f"bound but {why}, on the {name!r} input set alone "
                                                    f"({', '.join(w for w, _, _, _ in got)})")
        self._repeat(pairs[0], nudged[0] if nudged else None)
        self._fed_back(next((p for p in pairs if p.state == "previous" and inputs_earlier(p) == p), None))
        whys: dict[str, list[str]] = {}
        for k, why in self.refs.skipped.items():
            whys.setdefault(why, []).append(k)
        skipped = "".join(f"; skipped {', '.join(ks)}: {why}" for why, ks in whys.items())
        no_exact = f" ({self.refs.info['no_exact_why']})" if self.rtol and not self.refs.exact else ""
        extra = (f"; against guard pages (every pair's normal build ending at one, the checked build starting after "
                 f"one on the first pair of each of {len(starts)} input sets)" if guarded and not self.oblivious else "")
        if self.oblivious:
            extra += (f"; checked build on {len(checking)} pair(s) (accesses, branches and allocations do not depend "
                      "on the data)" + (", the first starting right after a guard page and the others ending at one, "
                                        "as every pair's normal build does" if guarded else ""))
        else:
            extra += f"; checked build on every pair ({self.dependence})"
        extra += f"; O0 build agrees on {len(differential)} pair(s)" if differential else ""
        return (f"{len(pairs)} pairs (input set x output state, seed {seed}) + repeat; {self.tol_text}{no_exact}"
                f"{skipped}{extra}")

    def _repeat(self, pair, nudged=None) -> None:
        """Two more calls of the first pair on fresh arguments: the outputs must not depend on earlier calls.
        Then, right after them, a call on the same arguments but for a few interior input elements (`nudged`,
        inputs.py): a result kept between calls under a key read from a few places is the earlier one."""
        self.session.stage("equivalence", self.budget(4, 2), f"repeat of {pair.describe(self.config.seed)}", pair.id)
        same = lambda x, y: all(_same_bits(a, b) for a, b in zip(x, y))  # noqa: E731
        # every call from this one line: a result kept in stack memory is found again only by a call whose frame
        # sits where the earlier one's did (one made from elsewhere in this worker missed it)
        runs = [(pair, self._args(pair)), (pair, self._args(pair))] + ([(nudged, self._args(nudged))] if nudged else [])
        outs = []
        for p, args in runs:
            run = self._run(p, args)
            outs.append([run[o] for o in self.outs])
        again = outs[:2]
        if not same(again[0], again[1]):
            raise Rejected(Reason.NONDETERMINISTIC, "two calls with identical arguments gave different outputs "
                                                    f"({pair.describe(self.config.seed)})")
        if not same(again[0], self.first):
            raise Rejected(Reason.CACHES_RESULT, "the same arguments gave a different result after other calls: "
                                                 "the output depends on earlier calls (state kept between calls; "
                                                 f"{pair.describe(self.config.seed)})")
        if nudged is None:
            return
        where = nudged.describe(self.config.seed)
        want = self.refs.outputs(nudged, len(self.outs), self.rtols, self.atol)
        for k, (o, w) in enumerate(zip(self.outs, want)):
            c = self.compare(outs[2][k], w, nudged, o=o)
            if not c.problem:
                continue
            what = (f"output %{self.sig.args[o].name} is wrong right after a call whose arguments differ from these "
                    f"in a few interior elements only ({where}: {c.where})")
            if _same_bits(outs[2][k], again[1][k]):  # the earlier call's result: kept between calls
                raise Rejected(Reason.CACHES_RESULT, f"{what}: it is the earlier call's result (state kept "
                                                     "between calls under a key that misses the changed elements, "
                                                     "or the output left as the earlier call wrote it)")
            raise Rejected(Reason.WRONG_RESULT, what)

    def _fed_back(self, pair) -> None:
        """A second call on the outputs the candidate's own first call left, as a caller accumulating into one buffer
        makes it (C += A B twice): the `previous` state holds the baseline's first result, never the candidate's,
        and a candidate that hid a tag of its inputs in the low bits of its own output (within rounding of the
        value) and returned at once when the tag matched passed every state. Held to the `previous` pair's
        reference (the candidate's first result and the baseline's differ by rounding, so the bound is widened
        by FED_BACK_WIDEN).

        Where the baseline's result does not depend on what its outputs held (its call on its own result gave its
        first result's bits: it overwrites them), the candidate's may not either: its calls on its own outputs, a
        few times over (FED_BACK_CALLS), must give its first call's bits. A candidate that kept a tag and a call
        counter in its output's low bits, within rounding, and returned a stale output from the third call on,
        passed the second call."""
        if pair is None:
            return
        where = f"{pair.describe(self.config.seed)}, its outputs as the candidate's own first call left them"
        self.session.stage("equivalence", self.budget(4, 1 + FED_BACK_CALLS), where, pair.id)
        start = self._args(pair)
        args = [np.zeros(a.shape, a.dtype) if i in self.outs else a for i, a in enumerate(start)]
        first = self._run(pair, args)
        again = self._run(pair, [first[i] if i in self.outs else a for i, a in enumerate(args)])
        want = self.refs.outputs(pair, len(self.outs), self.rtols, self.atol)
        overwrites = all(_same_bits(np.asarray(w[0]), np.asarray(start[o])) for o, w in zip(self.outs, want))
        for n in range(2, 2 + FED_BACK_CALLS if overwrites else 0):
            for o in self.outs:
                if not _same_bits(again[o], first[o]):
                    raise Rejected(Reason.CACHES_RESULT, (
                        f"output %{self.sig.args[o].name} changed on call {n} on its own outputs ({where}), where the "
                        f"baseline overwrites its outputs (its second call gave its first call's bits): "
                        f"{_differing(again[o], first[o])}; the result depends on what the output held"))
            if n < 1 + FED_BACK_CALLS:
                again = self._run(pair, [again[i] if i in self.outs else a for i, a in enumerate(args)])
        for o, w in zip(self.outs, want):
            c = self.compare(again[o], w, pair, widen=FED_BACK_WIDEN, o=o)
            if not c.problem:
                continue
            what = f"output %{self.sig.args[o].name} is wrong on a second call ({where}: {c.where})"
            if _same_bits(again[o], first[o]) and not _same_bits(np.asarray(w[0]), first[o]):
                raise Rejected(Reason.CACHES_RESULT, f"{what}: it is the first call's result, left as it was (state "
                                                     "kept in the output itself between calls)")
            raise Rejected(Reason.WRONG_RESULT, what)

    def _diagnose(self, i: int, digest: int, got, where: str) -> None:
        """Before a wrong result is reported: is it an earlier call's result, or does state carry over?
        (A constant output, all zeros say, repeats trivially and says nothing about caching.)"""
        varied = any(a.size > 1 and _varied(a) for a in got)
        if i > 0 and varied and digest in self.digests:
            raise Rejected(Reason.CACHES_RESULT, f"the outputs for {where} repeat an earlier call's result: cached")
        if i > 0:
            self._repeat(self.refs.pairs[0])
