"""What equivalence runs a candidate on: input sets (value classes), initial output states, and the plan.

An output's initial contents are part of a kernel's input (DESIGN §2), so a run is a *pair*: an input set
for the inputs and a state for the outputs, each run through the baseline from the same arguments. A
conditional cheat is right on most data and wrong on one value class or one output state; each set below
is a class a user's data has, and each exists because some shortcut is exact everywhere else.

Input sets (floats; integers read the same name as noted)
| set | values | what it exposes |
|---|---|---|
| uniform, normal, scales | U(-1,1); N(0,1); signs x 10^U(-3,3) (ints: [-8,8]; [-100,100]; signs x 10^U(0,4)) | general errors, roles, indexing |
| wide | N(0, 4) (ints: as normal) | truncated tails: exp(x - max) flushed to 0 below -9 is exact on N(0,1) rows (their spread is ~6) and zeroes most of these (judged by compare.py's rule 5 with the random sets) |
| negative | all negative | sign assumptions (abs, max with 0) |
| positive | all positive, U(0.5,2) (ints: [1,9]) | the other sign: "all positive, so skip the max with 0" (images, probabilities) |
| unit | U(0, 1), a quarter small (10^U(-6, -1)), an eighth exact zeros, a few exact ones (ints: 0 and 1, a mask) | gates "every value in [0, 1]" (probabilities, normalised pixels, masks): terms under a threshold dropped |
| relu | N(0, 1) through a ReLU: half exact zeros, the rest positive (ints: [0, 100]) | gates "no negatives and some zeros" (an activation's output): a cut in precision there |
| nonpositive | N(0, 1) through a ReLU, negated: half exact zeros of both signs, the rest negative (a float set; ints: [-100, 0]) | ties at a zero maximum: an argmax by the ordered-integer key puts -0.0 below +0.0 |
| offset | one large center per pair, +-10^U(0.5, 3), plus a spread of 10^U(-4, -1) of it drawn per row (ints: a center and +-3) | a large mean beside a small spread: the one-pass variance E[x^2] - E[x]^2, sums that cancel the mean |
| smooth | sums of slow sines along every axis, 0.5 to 2 periods (ints: rounded, x 50) | gates "the field is smooth" (sampled signals, images): a lower-order stencil, interpolated points |
| symmetric | normal data, every square trailing pair of axes made symmetric (A + A^T) / 2 (kernels with such an input) | gates "A and B are symmetric" (covariance, Gram matrices): half a product mirrored |
| sparse | half exact zeros (+0 and -0) among signed values; first and last element zero | zero shortcuts, +-0 |
| zeros | all zero | shortcuts keyed on an all-zero input |
| repeated | a few round numbers (1, -1, 0.5, 42, 256...) repeated | magic-constant shortcuts, ties |
| padded | the first half one nonzero round number, the rest normal (a padded sequence) | "the leading values are equal, so all are" shortcuts |
| sorted | sorted ascending, but for the last eighth shuffled | order and position assumptions ("the first row is sorted, so every row is") |
| descending | sorted descending, the last eighth shuffled | the same, the other way ("if the first few decrease, the rest do") |
| tailpad | the last half one nonzero round number (a right-padded sequence) | "the trailing values are equal" shortcuts |
| magnitude | all positive at one scale drawn per pair, 10^U(1,h) x U(0.5,2), h where `big`'s values are (ints: [lo, 4 lo], lo from 10 to a tenth of the largest) | gates "all above a threshold" that `positive` (at 1) never meets, at any threshold |
| constant | one nonzero value everywhere (a filled tensor, a broadcast scalar) | "the first and last few are equal and nonzero, so all are" shortcuts |
| logscale | signs x 10^U per element over every decade of normal values below 1 (ints: 10^U(0, half the digits)) | shortcuts in a band of magnitudes no other set reaches: flushing 1e-30 < abs(x) < 1e-20 (f32), abs(x) < 1e-12 (f64), an i64 product narrowed to i32 while the operands are below 2^30 |
| grid | dyadic values, k / 2^m, m in 1..8, in [-8, 8] (floats only) | rounding ties: `round` for `roundeven`, a truncating `fptosi` |
| cancel | small integers of alternating sign | sums that are exactly zero |
| lowprec | normal values rounded to bfloat16 (f16-exact where in its range; ints: as normal) | gates "the weights fit bf16" (a checkpoint stored in bf16, upcast): the other operand rounded to bf16 too, exact where both fit |
| pixels | integers in [0, 255] (an 8-bit image as floats) | gates "the data is uint8" (images): the weights rounded to a narrow type |
| simplex | every row (the last axis) a distribution: a softmax of N(0, 4) logits (ints: a 0/1 mask) | gates "the rows sum to 1" (attention weights, probabilities): small weights dropped |
| increasing | integers strictly increasing along the last axis from 0, gaps 1 + a geometric count (mean 4) | gates "the edges are sorted" (bin edges, CSR row pointers, coordinates): a search off by one at ties, rows cut short |
| equal | inputs of one shape and type equal (f(x, x): a squared norm, a residual with itself) | gates "y is x" |
| triangular | normal values, exact zeros above the diagonal of the last two axes, the diagonal 1 to 3 in magnitude | gates "L is lower triangular" (a Cholesky factor): the operands rounded |
| broadcast | one varied row repeated along every other axis (one sample over a batch) | gates "every row is row 0": one row computed, rounded, copied |
| kinked | each row evenly spaced (exact integer gaps) up to a random point past its first quarter, then at a larger step | gates "the row is a linspace" from its first gaps: summed as n (first + last) / 2 |
| speckled | one value everywhere but three interior elements | gates "constant" or "periodic" from a few probes: one period computed and tiled |
| lattice | (crossed with normal data only) integers in [-127, 127] times a scale that is not a power of two, 127 among them | gates "the weights are int8 at a per-tensor scale": the other operand rounded |
| onehot | (crossed with normal data only) rows of zeros with one 1 | gates "A is one-hot": a gather from rounded weights |
| tiny | signs x 10^U(-10,-6) (ints: -1, 0, 1) | "negligible" shortcuts (abs(x) < 1e-6) |
| subnormal | subnormal magnitudes, a tenth zeros | flush-to-zero shortcuts |
| underflow | magnitudes around the square root of the smallest normal: products are subnormal | flush-to-zero of intermediates (normal inputs, subnormal products) |
| infinite | +-Inf at the first and a few random positions, a quarter exact zeros (ints: extremes) | non-finite shortcuts, 0 x Inf, loops that never end on Inf |
| nan | NaN at the first and a few random positions (numpy's quiet NaN, x86's default NaN with its sign bit set as 0 x Inf and 0/0 give it, NaNs with payloads; every other one signalling), a quarter exact zeros | NaN shortcuts and propagation, tests of one NaN encoding (the quiet pattern) |
| big | products and sums approach the limit but no evaluation order overflows (ints: products straddle 2^(bits-1)); all positive on its pair from zeroed outputs | scaling tricks, narrow intermediates, "exact while abs(x*y) < 2^31" |
| limit | within a factor 4 of the dtype's largest value (ints: within 16 of max/min) | overflow handling |
| outliers | normal values with near-limit ones at the first and a few random positions | shortcuts keyed on a huge value, where `limit` would overflow every element |
| wrap | integers over the whole range | "no overflow" assumptions: sums and products wrap |
| indices | small non-negative integers, [0, 4) (integer kernels) | kernels whose integers are indices (gather, histogram); a pair that sends the baseline itself out of bounds is skipped (reference.py) |

An integer input that is an index (indices.py: its values only ever subscript a memref, a gather's or an
embedding's) takes each set's values modulo the extent it indexes, so every pair stays within the kernel's
precondition and keeps its float classes: the indices reach every row, and the table every value class.

Output states: `random` (drawn from the input set's own class: special values reach the outputs too),
`zeros` (what np.zeros gives), `nan` (NaN; integers hold the dtype's minimum), `previous` (what the
baseline leaves after one call on the same inputs from zeros: the second call of a loop), `stale` (what the
baseline leaves after one call from zeros on *other* inputs of the same class: a buffer reused by a loop whose
inputs change; a softmax that returned at once when its output already held rows of a softmax was right on
every other state, and on `previous` too), `constant` (one nonzero value everywhere: a bias or an accumulator
initialised with np.full), `lowest` and `highest` (-Inf and +Inf, an integer type's extremes: a max or min
accumulator as it starts), `copy` (each output a copy of the first input of its shape and type: h = x.copy();
h += f(x), a residual), `ones` (a product's accumulator) and `bias` (every row one row of the class: a bias
broadcast over the batch, GEMM with beta = 1). Special values (Inf, NaN, near
the limit) sit at the *first* element and a few random others on their sets' first pair, because a cheat's
probe reads there first, and only at random interior positions (neither the first element nor the last) on
the pair run from zeroed outputs: a cheat that takes its careful path only when the first
element is special was exact on the first pair and wrong wherever else data holds one.

For f64 kernels the `normal` set's values are f32 values (exactly representable in f32, full 24-bit
significands): a candidate computing in f32 whenever its inputs are f32-exact is exact on every dyadic set
and ~1e-5 off here.

One pair, `nudged`, is the first random pair's arguments with up to three interior elements of each input
changed: run right after that pair's repeats, it catches a result kept between calls (in stack memory the
next call finds, say) under a key read from a few places, which fully fresh arguments always miss.

Every pair draws from its own generator, seeded by (evaluation seed, set, state, repetition): the same
seed gives the same arguments in every process, which is what makes a rejection reproducible with
`neurojit evaluate --seed S`.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

from neurojit.compiler.dtypes import is_float

from .compare import compare, tolerance  # noqa: F401  (re-exported: the promotion gate compares too)

RANDOM = ("uniform", "normal", "scales")
TYPICAL = (*RANDOM, "wide")  # ordinary data, where compare.py's rule 5 takes a candidate's typical error
# more data without special values, pooled into rule 5 for an output too small to have a typical error over the
# TYPICAL sets alone (a dot product's one element: a 4096-term dot of 14-bit operands passed)
ORDINARY = ("positive", "negative", "unit", "relu", "smooth", "symmetric", "sorted", "descending", "padded", "tailpad")
# input sets of ordinary values on which rule 5 also holds alone (equivalence.py): a precision cut gated on one of
# them is the whole of that set's errors. Sets of values drawn from one distribution only: not the offset,
# cancellation, range or special-value sets, nor sorted data or smooth fields, nor structure (zeros in a pattern,
# rows repeated, inputs equal): there a correct algorithm may be far more or less accurate than the baseline
# (Welford's variance of sorted rows: 28 ulp where the two-pass one erred 2; a forward substitution on a one-hot
# row, or an IIR filter's lookahead on a triangular input, 10x and 35x the baseline's 90th percentile). Random zeros
# (`sparse`, pruned weights) only shorten the sums: a matmul cutting its operands to 14 bits where a quarter of A was
# zeros passed (the tenth red team), as did one cutting them where B held A's transpose (`transposed`: a Gram matrix)
CLASSED = (*TYPICAL, "positive", "negative", "unit", "relu", "nonpositive", "padded", "tailpad", "grid", "lowprec",
           "pixels", "sparse", "transposed", "positive+negative", "lowprec+normal", "pixels+normal", "lattice+normal")
TIMING = ("uniform", "normal", "sparse")  # the benchmark's inputs, in turn (ordinary data: checks.py)
STATES = ("random", "zeros", "nan", "previous", "stale", "constant", "lowest", "highest", "copy", "ones", "bias")
EARLIER = ("previous", "stale")  # states whose outputs hold what an earlier call of the baseline left (reference.py)
# After the random sets: each non-random output state once, then the value classes. Cheap and likely first.
_STATE_PAIRS = (("uniform", "zeros"), ("normal", "nan"), ("uniform", "previous"), ("normal", "stale"),
                ("normal", "constant"), ("normal", "lowest"), ("uniform", "highest"), ("normal", "copy"),
                ("uniform", "ones"), ("normal", "bias"))
_FLOAT_SETS = ("wide", "negative", "positive", "unit", "relu", "nonpositive", "offset", "smooth", "symmetric", "sparse", "zeros", "repeated", "padded", "sorted", "cancel", "tiny",
               "magnitude", "tailpad", "descending", "grid", "constant", "logscale",
               "lowprec", "pixels", "simplex", "increasing", "equal", "transposed", "triangular", "broadcast", "kinked",
               "speckled", "subnormal", "underflow", "infinite", "nan", "big", "limit", "outliers")
_INT_SETS = ("negative", "positive", "unit", "relu", "offset", "smooth", "symmetric", "sparse", "zeros", "repeated", "padded", "sorted", "cancel", "indices", "big",
             "magnitude", "tailpad", "descending", "constant", "logscale",
             "pixels", "increasing", "equal", "transposed", "triangular", "broadcast", "kinked", "speckled",
             "wrap", "limit", "infinite")
NUDGED = "nudged"  # the first random pair's arguments but for a few interior input elements (`make_args`)
NEED_EXACT = ("limit", "outliers")  # float sets whose overflows only an exact reference can judge
NEAR_RANGE = ("big", "magnitude")  # float sets built to reach the scale where sums of products approach the range
# classes whose in-class output would hide the inputs' contribution (a tiny product beside a tiny output, a
# NaN reduction into an output that already holds NaN): also run from a zeroed output
# (and the sets whose special values take their second placement there: inside the array only)
_FROM_ZEROS = ("tiny", "subnormal", "underflow", "infinite", "nan", "big", "wrap", "outliers")
_FLOAT_POOL = (0.25, 0.5, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0, 8.0, 10.0, 16.0, 42.0, 100.0, 255.0, 256.0, 1000.0, 1024.0)
_INT_POOL = (2, 3, 4, 5, 7, 8, 10, 16, 42, 100, 127, 128, 255, 256, 1000, 1024, 65535)


@dataclass(frozen=True)
class Pair:
    """One equivalence run: inputs from `set`, outputs starting in `state`; `rep` numbers repeated sets."""
    set: str
    state: str
    rep: int = 0

    @property
    def id(self) -> str:
        return f"{self.set}-{self.state}" + (f"-{self.rep}" if self.rep else "")

    def describe(self, seed: int) -> str:
        if CROSS in self.set:  # crossed classes (`crossed`)
            first, other = self.set.split(CROSS)
            return (f"inputs '{first}' for input #{self.rep + 1} and '{other}' for the others, output state "
                    f"'{self.state}', seed {seed}")
        rep = f" #{self.rep + 1}" if self.rep else ""
        return f"inputs '{self.set}'{rep}, output state '{self.state}', seed {seed}"

    def rng(self, seed: int) -> np.random.Generator:
        return np.random.default_rng([seed % (1 << 63), zlib.crc32(self.set.encode()),
                                      zlib.crc32(self.state.encode()), self.rep])

    def to_json(self) -> list:
        return [self.set, self.state, self.rep]


def plan(signature, random_sets: int, exact_reference: bool = True) -> list[Pair]:
    """The pairs for a kernel, in the order they run (early exit at the first failure) and in which the
    reference process computes them (a slow baseline's budget cuts the tail).

    `limit` and `outliers` need an exact (wider) reference to tell a legitimate overflow from a wrong one,
    so kernels with float outputs and no such reference (a twin that does not build) skip them."""
    kinds = {np.dtype(a.dtype).kind for a in signature.args}
    pairs = [Pair(RANDOM[i % len(RANDOM)], "random", i // len(RANDOM)) for i in range(random_sets)]
    pairs += [Pair(s, st) for s, st in _STATE_PAIRS if _state_applies(st, signature)]
    # run right after the repeats of the first pair (equivalence.py), its outputs as those calls left them
    pairs += [Pair(NUDGED, "previous")]
    names = list(_FLOAT_SETS) if "f" in kinds else []
    names += [n for n in _INT_SETS if n not in names] if kinds & {"i", "b"} else []
    if not exact_reference and any(is_float(a.dtype) for a in signature.outputs):
        names = [n for n in names if n not in NEED_EXACT]
    if not any(a.role == "in" and _square(a.shape) for a in signature.args):  # would be `normal` again
        names = [n for n in names if n != "symmetric"]
    if not _twins(signature):  # no two inputs of one shape and type: would be `normal` again
        names = [n for n in names if n != "equal"]
    if not _transposes(signature):  # no input of another's shape with its last two axes swapped: `normal` again
        names = [n for n in names if n != "transposed"]
    pairs += [Pair(name, "random") for name in names]  # every class once before any class twice: a
    pairs += [Pair(name, "zeros") for name in names if name in _FROM_ZEROS]  # budget cut loses repeats first
    ins = [a for a in signature.args if a.role == "in"]
    if len(ins) >= 2:  # each input (up to CROSSED_INPUTS) once in the first class, the others in the second
        crosses = [c for c in CROSSES if "f" in kinds or not {"infinite", "lowprec", "lattice"} & set(c)]
        crosses += list(INT_CROSSES) if "i" in kinds and "f" not in kinds else []
        pairs += [Pair(f"{a}{CROSS}{b}", "zeros", j) for a, b in crosses for j in range(min(len(ins), CROSSED_INPUTS))]
    return pairs


# Crossed classes: one input from the first, every other from the second. Every other pair draws all of a
# pair's inputs from one class, so what one input looks like told a candidate what the others were (the third
# red team: "y is all positive, so x is", wrong for negative x beside positive weights; "A is all zero, so
# C += 0", wrong where B holds Inf or NaN: 0 x Inf is NaN).
CROSS = "+"
CROSSES = (("positive", "negative"), ("zeros", "infinite"), ("unit", "magnitude"),  # (a mask or probabilities
# beside values at one scale: an i32 sum of the rows a 0/1 mask selects, done in i16, passed on masked 0/1 values)
           ("lowprec", "normal"), ("pixels", "normal"),  # (bf16 weights or uint8 pixels beside f32 data: an
# operand whose values fit a narrow type told a candidate to round the other one to it, exact where both did)
           ("lattice", "normal"), ("onehot", "normal"))  # (int8 weights at a per-tensor scale; one-hot rows, an
# embedding lookup as a product: a gather from rounded weights)
# integer kernels: extremes beside -1, 0 and 1, element by element (INT_MIN / -1 overflows, INT_MIN x -1 wraps to
# itself; a division that saturated there, and a rounding doubling high multiply that left out its INT_MIN x INT_MIN
# case, passed on the sets that draw each input alone: the twelfth red team of 2026-12-05, 388)
INT_CROSSES = (("limit", "tiny"), ("infinite", "tiny"))
CROSSED_INPUTS = 8  # inputs each put in the first class in turn (a 4th input never was: its sign was dropped)


def _twins(signature) -> bool:
    """Two inputs of one shape and element type (what the `equal` set makes equal)."""
    seen = [(tuple(a.shape), np.dtype(a.dtype)) for a in signature.args if a.role == "in"]
    return len(set(seen)) < len(seen)


def _copied(a, signature):
    """The first input of output `a`'s shape and element type (what the `copy` state starts it from), or None."""
    return next((i for i, b in enumerate(signature.args)
                 if b.role == "in" and tuple(b.shape) == tuple(a.shape) and np.dtype(b.dtype) == np.dtype(a.dtype)),
                None)


def _state_applies(state: str, signature) -> bool:
    """Whether an output state differs from the others for this kernel: `copy` where some output has an input of
    its shape and type; `lowest` where some output is a float (an integer's lowest is the `nan` state's)."""
    outs = [a for a in signature.args if a.role == "out"]
    if state == "copy":
        return any(_copied(a, signature) is not None for a in outs)
    if state == "lowest":
        return any(is_float(a.dtype) for a in outs)
    return True


def crossed(pair: Pair, signature) -> dict[int, str] | None:
    """For a crossed pair, each argument's class (by argument index: outputs drawn, in the random state, from the
    second class); None for any other pair."""
    if CROSS not in pair.set:
        return None
    first, other = pair.set.split(CROSS)
    ins = [i for i, a in enumerate(signature.args) if a.role == "in"]
    chosen = ins[pair.rep % len(ins)]
    return {i: first if i == chosen else other for i in range(len(signature.args))}


def _tail_shuffled(flat: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A sorted run whose last eighth (at least two elements) is shuffled: sorted where a candidate looks first (the
    first row, the first elements), not everywhere. Sorted throughout, the first row's order told a candidate that
    every row was sorted (the third red team: each row's last element taken as its maximum)."""
    x = np.array(flat)
    k = max(2, x.size // 8) if x.size >= 4 else 0
    if k:
        x[-k:] = rng.permutation(x[-k:])
    return x


def make_args(pair: Pair, signature, seed: int, depth: int, previous: list[np.ndarray] | None = None,
              ranges: dict[int, int] | None = None) -> list[np.ndarray]:
    """Arguments in signature order for `pair`. `previous`: the outputs' initial contents for the
    'previous' and 'stale' states (from the reference process: `earlier`). `ranges`: the integer inputs that are indices
    (indices.py) and the extent each indexes: they take the set's values modulo it."""
    if pair.set == NUDGED:  # the first random pair's arguments, its outputs as the baseline left them (`earlier`)
        args = make_args(Pair(RANDOM[0], "random"), signature, seed, depth, None, ranges)
        if pair.state in EARLIER and previous is not None:
            outs = [i for i, a in enumerate(signature.args) if a.role == "out"]
            for i, p in zip(outs, previous):
                args[i] = np.array(p, dtype=args[i].dtype, order="C")
        return _nudged(args, signature, pair.rng(seed), ranges)
    rng = pair.rng(seed)
    out, k = [], 0
    kinds = crossed(pair, signature) or {}
    for i, a in enumerate(signature.args):
        if a.role == "in" or pair.state == "random":
            x = fill(kinds.get(i, pair.set), a.shape, a.dtype, rng, depth, lead=pair.state != "zeros")
            out.append(np.array(in_range(x, ranges[i]), dtype=x.dtype) if ranges and i in ranges else x)  # (0-d stays 0-d)
            continue
        if pair.state == "zeros":
            out.append(np.zeros(a.shape, a.dtype))
        elif pair.state == "nan":
            bad = np.nan if is_float(a.dtype) else _extreme(a.dtype, np.dtype(a.dtype).kind == "b")  # (a bool: true)
            out.append(np.full(a.shape, bad, a.dtype))
        elif pair.state == "constant":
            out.append(np.full(a.shape, fill("constant", (), a.dtype, rng), a.dtype))
        elif pair.state in ("lowest", "highest"):
            out.append(np.full(a.shape, _extreme(a.dtype, pair.state == "highest"), a.dtype))
        elif pair.state == "copy":  # (filled below: the input may come after it)
            out.append(np.zeros(a.shape, a.dtype))
        elif pair.state == "ones":  # a product's accumulator (np.ones)
            out.append(np.ones(a.shape, a.dtype))
        elif pair.state == "bias":  # every row one row of the class (a bias broadcast over the batch, beta = 1)
            out.append(np.array(_broadcast(fill(pair.set, a.shape, a.dtype, rng, depth)), order="C"))
        elif pair.state in EARLIER:
            if previous is None:
                raise ValueError(f"the {pair.state!r} state needs the baseline's earlier outputs")
            out.append(np.array(previous[k], dtype=a.dtype, order="C"))
        else:
            raise ValueError(f"unknown output state {pair.state!r}")
        k += 1
    if pair.state == "copy":  # each output a copy of its first input of its shape and type (h = x.copy(); h += f(x))
        for i, a in enumerate(signature.args):
            j = _copied(a, signature) if a.role == "out" else None
            if j is not None:
                out[i] = np.array(out[j], order="C")
    if pair.set == "equal":  # each input equal to the first input of its shape and type (f(x, x))
        first = {}
        for i, a in enumerate(signature.args):
            if a.role == "in":
                key = (tuple(a.shape), np.dtype(a.dtype))
                if key in first:  # (an index input taken into its own range: inputs of one shape may index others)
                    same = out[first[key]]
                    out[i] = np.array(in_range(same, ranges[i]) if ranges and i in ranges else same, dtype=same.dtype,
                                      order="C")
                else:
                    first[key] = i
    if pair.set == "transposed":  # each input the transpose (last two axes) of the first input it is one of
        for i, j in _transposes(signature).items():
            t = np.ascontiguousarray(np.swapaxes(out[j], -1, -2))
            out[i] = np.array(in_range(t, ranges[i]), dtype=t.dtype) if ranges and i in ranges else t
    return out


def _transposes(signature) -> dict[int, int]:
    """Input i -> the first earlier input j whose shape, last two axes swapped, is i's (same type): a Gram matrix X
    X^T, A^T A, attention scores of a sequence with itself. A candidate that rounded its operands when B held A's
    transpose passed every other set: no set made one input the transpose of another."""
    ins = [(i, a) for i, a in enumerate(signature.args) if a.role == "in" and len(a.shape) >= 2]
    found: dict[int, int] = {}
    for n, (i, a) in enumerate(ins):
        for j, b in ins[:n]:
            if (j not in found and np.dtype(a.dtype) == np.dtype(b.dtype)
                    and tuple(a.shape) == (*b.shape[:-2], b.shape[-1], b.shape[-2])):
                found[i] = j
                break
    return found


def _extreme(dtype, high: bool):
    """What a max (`high`: min) accumulator starts from: -Inf (+Inf), or an integer type's lowest (highest), a
    bool's false (true)."""
    dt = np.dtype(dtype)
    if is_float(dt):
        return np.inf if high else -np.inf
    if dt.kind == "b":
        return bool(high)
    return np.iinfo(dt).max if high else np.iinfo(dt).min


def earlier(pair: Pair) -> Pair:
    """The pair whose arguments, made with zeroed outputs as `previous` and run through the baseline, leave the
    outputs `pair` starts from (its state in EARLIER): `pair` itself for `previous` (the same inputs); for
    `stale`, other inputs of the same class (a generator of their own: `rep` past any the plan numbers); for the
    nudged pair, the first random pair, whose result its outputs hold before a few input elements change: a
    candidate returning early where 16 fixed probes of its output already held the result passed every state
    (`previous` has the same inputs, `stale` fails the probes)."""
    if pair.set == NUDGED:  # the call before it: the first random pair's (a buffer reused after a sparse update)
        return Pair(RANDOM[0], "random")
    return pair if pair.state == "previous" else Pair(pair.set, "previous", 1000 + pair.rep)


def _nudged(args: list[np.ndarray], signature, rng: np.random.Generator, ranges) -> list[np.ndarray]:
    """`args` with up to three interior elements of each input (neither the first nor the last) given other
    values of the same class: what a result cached under a key read from a few places (the ends, a corner)
    returns for the earlier call's arguments."""
    for i, a in enumerate(signature.args):
        x = args[i].reshape(-1)
        if a.role != "in" or x.size < 3:
            continue
        pos = rng.choice(np.arange(1, x.size - 1), min(3, x.size - 2), replace=False)
        new = fill(RANDOM[0], (len(pos),), a.dtype, rng).astype(x.dtype)
        if ranges and i in ranges:
            new = in_range(new, ranges[i]).astype(x.dtype)
        same = new == x[pos]
        if is_float(x.dtype):
            new[same] = x[pos][same] + 1  # (a value of the class that happens to be the old one)
        elif x.dtype.kind == "b":  # (True + 1 is True again)
            new[same] = ~x[pos][same]
        else:
            new[same] = in_range(x[pos][same] + 1, ranges[i]) if ranges and i in ranges else x[pos][same] + 1
        x[pos] = new
    return args


def _kinked(shape, rng: np.random.Generator) -> np.ndarray:
    """Rows (along the last axis) evenly spaced from a random start up to a random point past their first quarter,
    then at another step (a linspace of bin edges, time stamps at one rate and then another): integers, sorted."""
    n = int(shape[-1]) if len(shape) else 1
    rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
    i = np.arange(n)
    start = rng.integers(-50, 51, (rows, 1))
    step = rng.integers(1, 5, (rows, 1))
    k = rng.integers(max(1, n // 4), max(2, 3 * n // 4 + 1), (rows, 1))
    x = start + step * np.minimum(i, k) + (step + rng.integers(1, 4, (rows, 1))) * np.maximum(i - k, 0)
    return x.reshape(shape)


def _speckled(x: np.ndarray, rng: np.random.Generator, other) -> np.ndarray:
    """`x` (one value everywhere) with a few interior elements set to other values: constant, and so periodic with
    every period, wherever a probe looks, but for a few defects a probe misses."""
    flat = x.reshape(-1)
    if flat.size >= 3:
        at = rng.choice(np.arange(1, flat.size - 1), min(3, flat.size - 2), replace=False)
        flat[at] = other(rng, len(at))
    return x


def fill(kind: str, shape, dtype, rng: np.random.Generator, depth: int = 1, lead: bool = True) -> np.ndarray:
    """An array of the value class `kind` (the table above), C-contiguous, of `dtype`. `lead`: special values
    at the first element too (else only at interior positions)."""
    dt = np.dtype(dtype)
    if dt.kind == "b":
        x = _bool_fill(kind, shape, rng, depth, lead)
    else:
        x = _int_fill(kind, shape, dt, rng, lead) if dt.kind == "i" else _float_fill(kind, shape, dt, rng, depth, lead)
    out = np.array(x, dtype=dt, order="C")  # (np.ascontiguousarray would make a 0-d array 1-d)
    if kind == "nan" and is_float(dt):
        _signalling(out, rng)
    return out


def _bool_fill(kind, shape, rng, depth, lead=True):
    """A mask: true where the set's values (an f32 set's, an i8 one's where floats have no such set) are > 0, so
    each set has its own density: about half on `uniform`, all on `positive`, none on `negative` and `zeros`, a
    few on `sparse`, the first half on `padded`."""
    try:
        x = _float_fill(kind, shape, np.dtype(np.float32), rng, depth, lead)
    except ValueError:
        x = _int_fill(kind, shape, np.dtype(np.int8), rng, lead)
    return np.asarray(x) > 0


def _square(shape) -> bool:
    return len(shape) >= 2 and shape[-1] == shape[-2] and shape[-1] > 1


def _symmetric(x: np.ndarray) -> np.ndarray:
    """x with every square trailing pair of axes made symmetric, (A + A^T) / 2 (other shapes as they are)."""
    return (x + np.swapaxes(x, -1, -2)) / 2.0 if _square(np.shape(x)) else x


def _smooth(shape, rng) -> np.ndarray:
    """A slowly varying field: a sum of sines along each axis, 0.5 to 2 periods over its extent, random phases."""
    x = np.zeros(shape)
    for axis, n in enumerate(shape):
        t = np.arange(n) / max(n, 1)
        wave = np.sin(2 * np.pi * rng.uniform(0.5, 2.0) * t + rng.uniform(0, 2 * np.pi))
        x = x + wave.reshape([n if k == axis else 1 for k in range(len(shape))])
    return x + rng.uniform(-1, 1) if not shape else x


def _signs(rng, shape):
    return rng.choice([-1.0, 1.0], shape)


def in_range(x, r: int):
    """Integer values taken into an index input's range (reference._probed_ranges): [0, r) for r > 0; for r < 0,
    [r, -r), where the baseline takes negative indices too (Python's wrap: table[idx + n] for idx < 0)."""
    return np.mod(x, r) if r > 0 else np.mod(x - r, -2 * r) + r  # (small values, 0 among them, stay as drawn)


def _specials(x: np.ndarray, value, rng, depth: int, *, zeros: bool, lead: bool = True) -> np.ndarray:
    """Put `value` at ~size/(8 x depth) random positions (one at least), and at the first element (`lead`), or
    else at one random interior position at least (neither the first element nor the last, where arrays
    allow); a quarter exact zeros."""
    flat = x.reshape(-1)
    if zeros:
        pos = rng.random(flat.size) < 0.25
        flat[pos] = np.copysign(0.0, _signs(rng, int(pos.sum())))
    # one at least, anywhere (an input that one reduction sums whole had its special only at the first element
    # or the middle: a sum that dropped NaN and Inf unless x[0] or x[size // 2] held one passed)
    n = max(1, flat.size // (8 * max(depth, 1)) - 1)
    idx = rng.choice(flat.size, min(n, flat.size), replace=False)
    # and a few rows with one alone, in their tail, where a loop split along them runs its remainder (a row max
    # whose last 7 of 255 columns dropped NaN passed: one special per pair reached them on ~3% of pairs, and
    # a row holding another one was NaN anyway)
    if x.ndim >= 1 and x.shape[-1] >= 4 and flat.size > x.shape[-1]:
        width = x.shape[-1]
        rows = rng.choice(flat.size // width, min(4, flat.size // width), replace=False)
        tail = rows * width + width - 1 - rng.integers(0, min(16, width), len(rows))
        idx = np.unique(np.concatenate([idx[~np.isin(idx // width, rows)], tail]))
    if not lead:  # interior only: the first and last elements keep their ordinary values
        inner = idx[(idx > 0) & (idx < flat.size - 1)] if flat.size > 2 else idx
        idx = inner if len(inner) else (np.array([rng.integers(1, flat.size - 1)]) if flat.size > 2 else idx)
    vals = value(rng, len(idx) + 1)
    if lead:
        flat[0] = vals[0]
    flat[idx] = vals[1:]
    return flat.reshape(x.shape)


def _float_fill(kind, shape, dt, rng, depth, lead=True):
    fi = np.finfo(dt)
    # no order of evaluation of a depth-D sum of products of values up to this overflows: (D + 1) m^2 <= max / 4
    m = math.sqrt(float(fi.max) / (4.0 * (depth + 1)))
    if kind == "uniform":
        return rng.uniform(-1, 1, shape)
    if kind == "normal":
        x = rng.standard_normal(shape)
        return x.astype(np.float32).astype(np.float64) if dt == np.float64 else x  # f32-exact for f64 kernels
    if kind == "wide":
        return 4.0 * rng.standard_normal(shape)
    if kind == "scales":
        return _signs(rng, shape) * 10.0 ** rng.uniform(-3, 3, shape)
    if kind == "negative":
        return -rng.uniform(0.5, 2.0, shape)
    if kind == "unit":  # probabilities, normalised pixels: [0, 1] with exact ends, a quarter small (10^U(-6, -1): a
        # long row's softmax)
        x = np.where(rng.random(shape) < 0.25, 10.0 ** rng.uniform(-6, -1, shape), rng.uniform(0.0, 1.0, shape))
        return np.where(rng.random(shape) < 0.125, 0.0, np.where(rng.random(shape) < 0.03, 1.0, x))
    if kind == "relu":
        return np.maximum(rng.standard_normal(shape), 0.0)
    if kind == "nonpositive":  # rows whose maximum is a zero of either sign
        x = -np.maximum(rng.standard_normal(shape), 0.0)
        return np.where(x == 0, _signs(rng, shape) * 0.0, x)
    if kind == "offset":  # a center drawn per pair, a spread per row (every threshold of spread / center has rows
        # on either side: a gate per row)
        c = _signs(rng, 1)[0] * 10.0 ** rng.uniform(0.5, 3.0)
        rows = (*shape[:-1], 1) if shape else ()
        return c + abs(c) * 10.0 ** rng.uniform(-4.0, -1.0, rows) * rng.standard_normal(shape)
    if kind == "smooth":
        return _smooth(shape, rng)
    if kind == "symmetric":
        return _symmetric(rng.standard_normal(shape))
    if kind == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if kind == "padded":
        return _padded(rng.standard_normal(shape), _signs(rng, 1)[0] * rng.choice(_FLOAT_POOL))
    if kind == "tailpad":  # right-padded: the last half one round number (padding sits at either end)
        return _padded(rng.standard_normal(shape), _signs(rng, 1)[0] * rng.choice(_FLOAT_POOL), tail=True)
    if kind == "magnitude":  # all positive at one scale drawn per pair (10 .. m/2, log-uniform; 'positive' is at
        # 1, 'tiny' and 'subnormal' below): a gate "all above a threshold" meets it at every scale up to 5, and at
        # most evaluations' scales for any threshold up to m (a gate at 3000 met every scale of 10 .. 1000)
        return 10.0 ** rng.uniform(1, max(1.0, math.log10(m / 2))) * rng.uniform(0.5, 2.0, shape)
    if kind == "constant":  # one nonzero value everywhere
        v = rng.standard_normal()
        return np.full(shape, v if v != 0 else 1.0)
    if kind == "logscale":  # every decade of normal values below 1, per element (products of the smallest
        # underflow, as in 'underflow'). Not above 1: where no magnitude twin gives each element its own bound
        # (f64 kernels), the bound is normwise, and a 1e150 beside them hid any error in the small ones
        return _signs(rng, shape) * 10.0 ** rng.uniform(math.log10(float(fi.smallest_normal)) + 1, 0.0, shape)
    if kind == "descending":
        return _tail_shuffled(np.sort(rng.standard_normal(shape), axis=None)[::-1], rng).reshape(shape)
    if kind == "grid":  # data already on a dyadic grid (fixed point, dequantised): each element's step 2^-m,
        # m in 1..8, so that x * 2^j (j < 8) lands on the rounding ties (k + 1/2) of round/roundeven/fptosi
        m = rng.integers(1, 9, shape)
        return np.round(rng.uniform(-8, 8, shape) * 2.0 ** m) / 2.0 ** m
    if kind == "sparse":
        x = rng.standard_normal(shape)
        x = np.where(rng.random(shape) < 0.5, np.copysign(0.0, _signs(rng, shape)), x)
        if x.size:
            x.reshape(-1)[0], x.reshape(-1)[-1] = 0.0, -0.0
        return x
    if kind == "zeros":
        return np.zeros(shape)
    if kind == "repeated":
        pool = np.concatenate([[1.0, -1.0], _signs(rng, 6) * rng.choice(_FLOAT_POOL, 6, replace=False)])
        return rng.choice(pool, shape)
    if kind == "sorted":
        return _tail_shuffled(np.sort(rng.standard_normal(shape), axis=None), rng).reshape(shape)
    if kind == "cancel":
        return _cancel(shape, rng)
    if kind == "tiny":
        return _signs(rng, shape) * 10.0 ** rng.uniform(-10, -6, shape)
    if kind == "subnormal":
        # (bf16's subnormals span 2 decades below its smallest normal, f32's 7, f16's 4)
        hi = math.log10(float(fi.smallest_normal))
        lo = min(math.log10(float(fi.smallest_subnormal)) + 3, hi - 1)
        x = _signs(rng, shape) * 10.0 ** rng.uniform(lo, hi, shape)
        return np.where(rng.random(shape) < 0.1, 0.0, x)
    if kind == "underflow":
        h = math.log10(float(fi.smallest_normal)) / 2  # two of these multiply into the subnormal range
        return _signs(rng, shape) * 10.0 ** rng.uniform(h - 3, h + 1, shape)
    if kind == "outliers":
        near = lambda r, n: _signs(r, n) * r.uniform(0.25, 1.0, n) * float(fi.max)  # noqa: E731
        return _specials(rng.standard_normal(shape), near, rng, depth, zeros=False, lead=lead)
    if kind == "infinite":
        return _specials(rng.standard_normal(shape), lambda r, n: _signs(r, n) * np.inf, rng, depth, zeros=True,
                         lead=lead)
    if kind == "nan":  # NaNs of several encodings: numpy's, x86's default (sign set: 0*Inf, 0/0), payloads
        return _specials(rng.standard_normal(shape), lambda r, n: _nans(r, n, dt), rng, depth, zeros=True, lead=lead)
    if kind == "big":  # (all positive on the pair from zeroed outputs: a gate "all above T" for any T up to m/2)
        return (_signs(rng, shape) if lead else 1.0) * rng.uniform(0.5, 1.0, shape) * m
    if kind == "limit":
        return _signs(rng, shape) * rng.uniform(0.25, 1.0, shape) * float(fi.max)
    if kind == "wrap":
        return _signs(rng, shape) * 10.0 ** rng.uniform(-30, 30, shape)
    if kind == "indices":
        return rng.integers(0, 4, shape).astype(np.float64)
    if kind == "lowprec":  # normal values rounded to bf16 (f16-exact too where in its range): weights stored in
        # a narrow type and upcast
        return _bf16(rng.standard_normal(shape))
    if kind == "pixels":  # an 8-bit image as floats: integers in [0, 255]
        return rng.integers(0, 256, shape).astype(np.float64)
    if kind == "simplex":  # every row (the last axis) a distribution: a softmax's output, attention weights
        e = np.exp(2.0 * rng.standard_normal(shape))
        return e / e.sum(axis=-1, keepdims=True) if len(shape) else np.ones(shape)
    if kind == "increasing":  # (integers, as for an integer input: ties between two inputs of the set)
        return _increasing(shape, rng).astype(np.float64)
    if kind == "kinked":  # (integers times a power of two: exact gaps)
        return _kinked(shape, rng) * 2.0 ** -int(rng.integers(0, 5))
    if kind == "speckled":
        return _speckled(np.full(shape, float(rng.standard_normal()) or 1.0), rng, lambda r, n: r.standard_normal(n))
    if kind in ("equal", "transposed"):  # (inputs made equal, or one the other's transpose, by make_args)
        return rng.standard_normal(shape)
    if kind == "triangular":  # lower triangular in the last two axes, exact zeros above the diagonal (a Cholesky
        # factor, a causal mask's product), a diagonal away from zero
        return _triangular(rng.standard_normal(shape), rng)
    if kind == "broadcast":  # one varied row repeated along every other axis (a sample over a batch)
        return _broadcast(rng.standard_normal(shape))
    if kind == "lattice":  # integers in [-127, 127] times a scale that is not a power of two (int8 weights,
        # dequantised at a per-tensor scale: max|w| / 127); 127 itself at the first element
        q = rng.integers(-127, 128, shape).astype(np.float64)
        if q.size:
            q.reshape(-1)[0] = 127.0
        return q * 10.0 ** rng.uniform(-3, -1) * 1.0137
    if kind == "onehot":  # every row (the last axis) all zeros but one 1 (token ids as a one-hot matrix)
        return _onehot(shape, rng).astype(np.float64)
    raise ValueError(f"unknown input set {kind!r}")


def _int_fill(kind, shape, dt, rng, lead=True):
    ii = np.iinfo(dt)
    if kind in ("uniform", "subnormal", "underflow", "nan", "grid"):
        return rng.integers(-8, 9, shape)
    if kind in ("normal", "wide", "lowprec", "lattice", "equal", "transposed"):  # (lowprec, lattice: an integer input of a float
        # kernel's set)
        return rng.integers(-100, 101, shape)
    if kind == "scales":
        return (_signs(rng, shape) * np.round(10.0 ** rng.uniform(0, 4, shape))).astype(np.int64)
    if kind == "negative":
        return rng.integers(-9, 0, shape)
    if kind in ("unit", "simplex"):  # a 0/1 mask
        return rng.integers(0, 2, shape)
    if kind == "relu":
        return np.maximum(rng.integers(-100, 101, shape), 0)
    if kind == "nonpositive":  # (an integer output of a float kernel, drawn in the random state)
        return -np.maximum(rng.integers(-100, 101, shape), 0)
    if kind == "offset":
        c = int(rng.choice([-1, 1])) * int(10.0 ** rng.uniform(1, min(4.0, math.log10(ii.max / 2))))
        return c + rng.integers(-3, 4, shape)
    if kind == "smooth":
        return np.round(50.0 * _smooth(shape, rng)).astype(np.int64)
    if kind == "symmetric":
        x = rng.integers(-50, 51, shape)
        return x + np.swapaxes(x, -1, -2) if _square(np.shape(x)) else x
    if kind == "positive":
        return rng.integers(1, 10, shape)
    if kind == "padded":
        return _padded(rng.integers(-100, 101, shape), int(rng.choice([-1, 1]) * rng.choice(_INT_POOL)))
    if kind == "tailpad":
        return _padded(rng.integers(-100, 101, shape), int(rng.choice([-1, 1]) * rng.choice(_INT_POOL)), tail=True)
    if kind == "magnitude":  # positive counts at one scale per pair: [lo, 4 lo], lo log-uniform in 10 .. a tenth
        # of the largest value ('positive' is 1 .. 9; products wrap, as they do in any order)
        lo = int(10.0 ** rng.uniform(1, max(1.0, math.log10(ii.max / 10))))
        return rng.integers(lo, 4 * lo + 1, shape)
    if kind == "constant":
        v = int(rng.integers(1, 101)) * int(rng.choice([-1, 1]))
        return np.full(shape, v, np.int64)
    if kind == "logscale":  # 10^U(0, half the digits): every band of magnitudes whose products do not wrap
        x = np.round(10.0 ** rng.uniform(0, math.log10(ii.max) / 2, shape))
        return (rng.choice([-1, 1], shape) * x).astype(np.int64)
    if kind == "descending":
        return _tail_shuffled(np.sort(rng.integers(-1000, 1001, shape), axis=None)[::-1], rng).reshape(shape)
    if kind == "sparse":
        x = np.where(rng.random(shape) < 0.5, 0, rng.integers(-8, 9, shape))
        if x.size:
            x.reshape(-1)[0] = x.reshape(-1)[-1] = 0
        return x
    if kind == "zeros":
        return np.zeros(shape, np.int64)
    if kind == "repeated":
        pool = np.concatenate([[1, -1, 0], rng.choice([-1, 1], 6) * rng.choice(_INT_POOL, 6, replace=False)])
        return rng.choice(pool, shape)
    if kind == "sorted":
        return _tail_shuffled(np.sort(rng.integers(-1000, 1001, shape), axis=None), rng).reshape(shape)
    if kind == "cancel":
        return _cancel(shape, rng).astype(np.int64)
    if kind == "tiny":
        return rng.integers(-1, 2, shape)
    if kind == "indices":
        return rng.integers(0, 4, shape)
    if kind == "pixels":
        return rng.integers(0, min(256, int(ii.max) + 1), shape)
    if kind == "increasing":  # (held below the type's largest: a long row of an i16 would wrap)
        return np.minimum(_increasing(shape, rng), ii.max)
    if kind == "kinked":
        return np.clip(_kinked(shape, rng), ii.min, ii.max)
    if kind == "speckled":
        return _speckled(np.full(shape, int(rng.integers(1, 101)), np.int64), rng, lambda r, n: r.integers(-100, 101, n))
    if kind == "triangular":
        return _triangular(rng.integers(-100, 101, shape), rng)
    if kind == "broadcast":
        return _broadcast(rng.integers(-100, 101, shape))
    if kind == "onehot":
        return _onehot(shape, rng)
    if kind == "big":  # (all positive on the pair from zeroed outputs)
        root = math.isqrt(int(ii.max))
        return (rng.choice([-1, 1], shape) if lead else 1) * rng.integers(root // 2, 2 * root, shape)
    if kind == "limit":
        near = rng.integers(0, 16, shape)
        return np.where(rng.random(shape) < 0.5, ii.max - near, ii.min + near)
    if kind == "wrap":
        return rng.integers(ii.min, ii.max, shape, dtype=dt, endpoint=True)
    if kind in ("infinite", "outliers"):
        x = rng.integers(-8, 9, shape)
        flat = x.reshape(-1)
        pos = rng.random(flat.size) < 0.05
        if not lead and flat.size > 2:  # interior only
            pos[0] = pos[-1] = False
            pos[flat.size // 2] = True
        flat[pos] = rng.choice([ii.max, ii.min], int(pos.sum()))
        if flat.size > 2:  # the lowest at one interior place in every input: INT_MIN x INT_MIN, the case a rounding
            flat[flat.size // 2] = ii.min  # doubling high multiply must saturate (left out: the twelfth red team)
        if flat.size and lead:
            flat[0] = ii.max
        return x
    raise ValueError(f"unknown input set {kind!r}")


def _padded(x: np.ndarray, value, tail: bool = False) -> np.ndarray:
    """`x` with its first (`tail`: last) half (flattened) set to `value`: a sequence padded to length."""
    if tail:
        x.reshape(-1)[x.size // 2:] = value
    else:
        x.reshape(-1)[: (x.size + 1) // 2] = value
    return x


def _nans(rng, n: int, dt) -> np.ndarray:
    """`n` NaNs: numpy's quiet NaN, x86's default NaN (sign bit set) and quiet NaNs with a payload, of `dt`."""
    bits = {"float16": (np.uint16, 0x7E00, 0xFE00, 0x01FF), "bfloat16": (np.uint16, 0x7FC0, 0xFFC0, 0x003F),
            "float32": (np.uint32, 0x7FC00000, 0xFFC00000, 0x003FFFFF),
            "float64": (np.uint64, 0x7FF8000000000000, 0xFFF8000000000000, 0x0007FFFFFFFFFFFF)}
    ut, qnan, neg, payload = bits[np.dtype(dt).name]  # (by name: f16 and bf16 are both 2 bytes)
    pick = rng.integers(0, 3, n)
    pay = rng.integers(1, int(payload), n, dtype=np.uint64).astype(ut)
    out = np.where(pick == 0, ut(qnan), np.where(pick == 1, ut(neg), ut(qnan) | pay)).astype(ut)
    return out.view(np.dtype(dt)).astype(np.float64)


# per float type (by name: f16 and bf16 are both 2 bytes): the unsigned view, the all-ones exponent, the quiet bit
_NAN_BITS = {"float16": (np.uint16, 0x7C00, 0x0200), "bfloat16": (np.uint16, 0x7F80, 0x0040),
             "float32": (np.uint32, 0x7F800000, 0x00400000),
             "float64": (np.uint64, 0x7FF0000000000000, 0x0008000000000000)}


def _signalling(x: np.ndarray, rng) -> None:
    """Every other NaN of `x` (in place; the first kept quiet) made signalling, of either sign: the quiet bit clear,
    a payload. The values are made in f64 and every conversion between float types quiets a NaN, so no other set
    holds one; a rounding or classification done on the bits (a bf16 cast's add-and-shift, a test for the quiet
    pattern alone) can turn one into Inf or a number."""
    name = np.dtype(x.dtype).name
    if name not in _NAN_BITS or not x.size:
        return
    ut, exponent, quiet = _NAN_BITS[name]
    flat = x.reshape(-1).view(ut)
    at = np.flatnonzero(np.isnan(x.reshape(-1)))[1::2]
    pay = rng.integers(1, quiet, at.size, dtype=np.uint64).astype(ut)
    sign = (rng.integers(0, 2, at.size).astype(ut) << ut(8 * np.dtype(ut).itemsize - 1)).astype(ut)
    flat[at] = sign | ut(exponent) | pay


def _triangular(x: np.ndarray, rng) -> np.ndarray:
    """`x` with its elements above the diagonal of the last two axes zero, its diagonal at least 1 in magnitude."""
    if np.ndim(x) < 2:
        return x
    r, c = np.indices(x.shape[-2:])
    x = np.where(c > r, 0, x)
    d = np.minimum(*x.shape[-2:])
    x[..., np.arange(d), np.arange(d)] = rng.choice([-1, 1], (*x.shape[:-2], d)) * rng.integers(1, 4, (*x.shape[:-2], d))
    return x


def _broadcast(x: np.ndarray) -> np.ndarray:
    """Every row of `x` (along the last axis) its first row."""
    return np.broadcast_to(x.reshape(-1, x.shape[-1])[0], x.shape).copy() if np.ndim(x) >= 2 and x.size else x


def _onehot(shape, rng) -> np.ndarray:
    """Rows (the last axis) of zeros, each with one 1 at a random position."""
    if not len(shape):
        return np.ones(shape, np.int64)
    x = np.zeros(shape, np.int64)
    if not x.size:
        return x
    np.put_along_axis(x, rng.integers(0, shape[-1], (*shape[:-1], 1)), 1, axis=-1)
    return x


def _increasing(shape, rng) -> np.ndarray:
    """Integers strictly increasing along the last axis from 0 (row pointers, bin edges, coordinates), by gaps of
    1 + a geometric count (mean 4, one in ten above 8: rows of a CSR matrix of every length; a gate "the row
    pointers are a valid structure" cut rows to 8 entries)."""
    if not len(shape):
        return rng.integers(0, 4, shape)
    c = np.cumsum(rng.geometric(0.25, shape), axis=-1)
    return c - c[..., :1]


def _bf16(x: np.ndarray) -> np.ndarray:
    """`x` rounded to the nearest bfloat16 (ties to even), as float64."""
    bits = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32).astype(np.float64)


def _cancel(shape, rng):
    # small integers with alternating signs: sums are exact in any order and often exactly zero
    v = rng.integers(1, 5, shape).astype(np.float64)
    return v * np.where(np.indices(shape).sum(axis=0) % 2 == 0, 1.0, -1.0) if len(shape) else v


def random_arrays(signature, seed: int = 0) -> list[np.ndarray]:
    """Arguments in signature order, outputs included, for timing and demos rather than checking: floats
    uniform in [-1, 1), integers in [-8, 8]."""
    rng = np.random.default_rng(seed)
    return [fill("uniform", a.shape, a.dtype, rng) for a in signature.args]
