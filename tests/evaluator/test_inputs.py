"""Input sets, output states and the plan (evaluator/inputs.py): each set holds the value class it promises."""

import numpy as np
import pytest

from neurojit.compiler.kernel import Arg, Signature
from neurojit.evaluator import inputs
from neurojit.evaluator.inputs import Pair


def sig(dtype="float32", shape=(64, 64), n_in=2):
    args = tuple(Arg(f"x{i}", shape, dtype, "in") for i in range(n_in)) + (Arg("out", shape, dtype, "out"),)
    return Signature("k", args)


def fill(kind, dtype="float32", shape=(64, 64), depth=1, seed=0):
    return inputs.fill(kind, shape, dtype, np.random.default_rng(seed), depth)


def test_a_pair_is_the_same_in_every_process_and_differs_between_seeds():
    s = sig()
    a = inputs.make_args(Pair("normal", "random"), s, 5, 1)
    b = inputs.make_args(Pair("normal", "random"), s, 5, 1)
    c = inputs.make_args(Pair("normal", "random"), s, 6, 1)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])


def test_output_states():
    s = sig()
    zeros = inputs.make_args(Pair("uniform", "zeros"), s, 0, 1)
    nan = inputs.make_args(Pair("uniform", "nan"), s, 0, 1)
    prev = inputs.make_args(Pair("uniform", "previous"), s, 0, 1, [np.full((64, 64), 3.0)])
    assert not zeros[2].any() and np.isnan(nan[2]).all() and (prev[2] == 3.0).all()
    assert not np.array_equal(zeros[0], nan[0])  # every pair draws its own inputs
    ints = inputs.make_args(Pair("uniform", "nan"), sig("int32"), 0, 1)
    assert (ints[2] == np.iinfo(np.int32).min).all()
    with pytest.raises(ValueError):
        inputs.make_args(Pair("uniform", "previous"), s, 0, 1)
    # `previous` runs the baseline on the pair's own inputs first, `stale` on other inputs of the same class
    p, st = Pair("normal", "previous"), Pair("normal", "stale")
    assert inputs.earlier(p) == p
    first, now = (inputs.make_args(inputs.earlier(st), s, 0, 1, [np.zeros((64, 64), np.float32)]),
                  inputs.make_args(st, s, 0, 1, [np.full((64, 64), 3.0)]))
    assert not np.array_equal(first[0], now[0]) and not first[2].any() and (now[2] == 3.0).all()
    assert ("normal", "stale") in [(q.set, q.state) for q in inputs.plan(s, 3)]
    # the random state draws the outputs from the input set's own class
    tiny = inputs.make_args(Pair("tiny", "random"), s, 0, 1)
    assert np.abs(tiny[2]).max() < 1e-6


def test_float_value_classes_hold_what_they_promise():
    fi = np.finfo(np.float32)
    tiny = fill("tiny")
    assert 0 < np.abs(tiny).min() and np.abs(tiny).max() < 1e-6
    sub = fill("subnormal")
    assert np.abs(sub).max() < fi.smallest_normal and (np.abs(sub) > 0).mean() > 0.5
    sparse = fill("sparse")
    flat = sparse.reshape(-1)
    assert flat[0] == 0 and flat[-1] == 0 and 0.3 < (sparse == 0).mean() < 0.7
    assert np.signbit(sparse[sparse == 0]).any() and (~np.signbit(sparse[sparse == 0])).any()  # +0 and -0
    inf = fill("infinite", depth=4)
    assert np.isinf(inf.reshape(-1)[0]) and np.isinf(inf).sum() > 1 and not np.isnan(inf).any()
    assert (inf == 0).mean() > 0.15  # zeros beside infinities: 0 x Inf arises
    nan = fill("nan")
    assert np.isnan(nan.reshape(-1)[0]) and not np.isinf(nan).any()
    limit = fill("limit")
    assert np.abs(limit).min() >= fi.max / 4 and np.isfinite(limit).all()
    rep = fill("repeated")
    assert len(np.unique(rep)) <= 8 and (rep == 1.0).any()
    srt = fill("sorted").reshape(-1)
    k = srt.size // 8  # the last eighth shuffled: the first row's order says nothing about the last rows'
    assert (np.diff(srt[:-k]) >= 0).all() and not (np.diff(srt[-k:]) >= 0).all()
    assert (np.sort(srt[-k:]) >= srt[:-k].max()).all()  # the same values, out of order
    dsc = fill("descending").reshape(-1)
    assert (np.diff(dsc[:-k]) <= 0).all() and not (np.diff(dsc[-k:]) <= 0).all()


def test_big_values_cannot_overflow_in_any_order_of_a_sum_of_products():
    depth = 256
    big = fill("big", depth=depth).astype(np.float64)
    bound = (depth + 1) * np.abs(big).max() ** 2
    assert bound <= float(np.finfo(np.float32).max) / 4
    assert np.abs(big).max() ** 2 > float(np.finfo(np.float32).max) / (64 * (depth + 1))  # but near it


def test_integer_classes_overflow_and_wrap():
    ii = np.iinfo(np.int32)
    big = fill("big", "int32").astype(np.int64)
    prods = np.abs(big[:, :1] * big[:1, :])
    assert (prods > ii.max).any() and (prods < ii.max).any()  # products straddle 2^31
    wrap = fill("wrap", "int32")
    assert wrap.min() < ii.min // 2 and wrap.max() > ii.max // 2
    limit = fill("limit", "int32").astype(np.int64)
    assert ((limit >= ii.max - 16) | (limit <= ii.min + 16)).all()


def test_the_plan_covers_every_state_and_the_kernels_value_classes():
    floats = inputs.plan(sig(), 3)
    states = {p.state for p in floats}
    sets = {p.set for p in floats}
    assert states == set(inputs.STATES)
    assert {"tiny", "subnormal", "infinite", "nan", "big", "limit", "sparse", "repeated"} <= sets
    assert Pair("tiny", "zeros") in floats and Pair("nan", "zeros") in floats
    assert floats[:3] == [Pair("uniform", "random"), Pair("normal", "random"), Pair("scales", "random")]
    assert len({p.id for p in floats}) == len(floats)
    ints = {p.set for p in inputs.plan(sig("int32"), 2)}
    assert {"wrap", "big", "limit"} <= ints and "subnormal" not in ints and "nan" not in ints
    no_exact = {p.set for p in inputs.plan(sig("float64"), 2, exact_reference=False)}
    assert "limit" not in no_exact and "outliers" not in no_exact  # without a float64 reference an overflow
    # cannot be judged
    assert {"positive", "padded", "underflow", "outliers"} <= sets and Pair("underflow", "zeros") in floats


def test_a_pair_names_itself_for_reproduction():
    assert Pair("tiny", "zeros").describe(7) == "inputs 'tiny', output state 'zeros', seed 7"
    assert Pair("uniform", "random", 1).describe(0) == "inputs 'uniform' #2, output state 'random', seed 0"


def test_random_arrays_are_unchanged_for_timing_callers():
    s = Signature("k", (Arg("a", (3,), "float32", "in"), Arg("b", (2,), "int64", "out")))
    a, b = inputs.random_arrays(s, 0)
    rng = np.random.default_rng(0)
    assert np.array_equal(a, rng.uniform(-1, 1, (3,)).astype(np.float32))
    assert np.array_equal(b, rng.integers(-8, 9, (2,)))


def test_the_sets_a_red_team_found_missing():
    # each a class real data has, that a gate keyed on it was never shown (a red-team pass): all positive
    # (images, probabilities), a padded sequence, products in the subnormal range, a few huge values among
    # ordinary ones (the `limit` set makes every element overflow, where any value is accepted)
    assert (fill("positive") > 0).all() and (fill("positive", "int32") > 0).all()
    pad = fill("padded").reshape(-1)
    assert pad[0] != 0 and (pad[: pad.size // 2] == pad[0]).all() and len(set(pad[pad.size // 2:])) > 1
    u = fill("underflow").astype(np.float64)
    tiny = float(np.finfo(np.float32).smallest_normal)
    assert (np.abs(u) >= tiny).all() and (np.abs(u[0] * u[1:]) < tiny).mean() > 0.5
    o = fill("outliers", depth=4).reshape(-1)
    big = np.abs(o) > 1e37
    assert big[0] and 1 < big.sum() < o.size // 8 and (np.abs(o[~big]) < 10).all()


def _pairs_of(name, s):
    return [p for p in inputs.plan(s, 3) if p.set == name]


def test_the_sets_a_second_red_team_found_missing():
    # special values only ever at element 0: a candidate taking its NaN-safe path only when x[0] is NaN passed
    for kind in ("nan", "infinite", "outliers"):
        first, inner = (inputs.make_args(Pair(kind, st), sig(), 3, 1)[0].reshape(-1) for st in ("random", "zeros"))
        special = ~(np.abs(inner) < 1e37)  # NaN, Inf, near the limit
        assert not abs(first[0]) < 1e37 and special.any() and not special[0] and not special[-1]
        assert [p.state for p in _pairs_of(kind, sig())] == ["random", "zeros"]
    ints = inputs.make_args(Pair("infinite", "zeros"), sig("int32"), 3, 1)[0].reshape(-1)
    lim = np.abs(ints.astype(np.int64)) >= np.iinfo(np.int32).max
    assert lim.any() and not lim[0] and not lim[-1]
    # magnitude bands no set reached: 1e-30 .. 1e-20 (f32), 1e-13 .. 1e-11 (f64), i64 1e4 .. 1e9
    for dtype, lo, hi in (("float32", 1e-30, 1e-20), ("float64", 1e-13, 1e-11)):
        x = np.abs(fill("logscale", dtype, (256, 256), depth=64).astype(np.float64))
        assert ((x > lo) & (x < hi)).sum() > 100, (dtype, lo, hi)  # (of 65536: any flush shows)
        assert (x < 1).all() and (x >= np.finfo(dtype).smallest_normal).all()
    big = np.abs(fill("logscale", "int64", (256, 256)))
    assert ((big > 1e4) & (big < 1e9)).mean() > 0.2
    # all positive above any threshold: every scale of 10 .. 1000 left gates above 3000 closed
    scales = [fill("magnitude", seed=k).min() for k in range(40)]
    assert min(scales) > 0 and sum(v > 1e4 for v in scales) > 20
    assert sum(fill("magnitude", "int32", seed=k).min() > 5000 for k in range(40)) > 20
    # and on big's pair from zeroed outputs
    for dtype in ("float32", "int32"):
        second = inputs.make_args(Pair("big", "zeros"), sig(dtype), 3, 1)[0]
        assert second.min() > 1000 and inputs.make_args(Pair("big", "random"), sig(dtype), 3, 1)[0].min() < 0
    # one nonzero value everywhere, in an input and in the outputs (a bias, np.full)
    c = fill("constant")
    assert c.reshape(-1)[0] != 0 and (c == c.reshape(-1)[0]).all()
    out = inputs.make_args(Pair("normal", "constant"), sig(), 3, 1)[2]
    assert out.reshape(-1)[0] != 0 and (out == out.reshape(-1)[0]).all()
    assert Pair("normal", "constant") in inputs.plan(sig("int32"), 3) and _pairs_of("constant", sig())
    # an f64 kernel's normal set is f32-exact: one computing in f32 whenever that is exact was never seen
    n = fill("normal", "float64")
    assert np.array_equal(n.astype(np.float32).astype(np.float64), n) and len(np.unique(n)) > 1000


def test_a_config_without_a_seed_draws_a_fresh_one(monkeypatch):
    # the public seed 0 let a candidate hold a table of the values its input sets take
    from neurojit.evaluator import EvalConfig

    assert EvalConfig().seed == 1  # (the suite pins it: tests/conftest.py)
    monkeypatch.delenv("NEUROJIT_EVAL_SEED")
    seeds = {EvalConfig().seed for _ in range(4)}
    assert len(seeds) == 4 and all(isinstance(x, int) for x in seeds)
    assert EvalConfig(seed=7).seed == 7


def test_integer_kernels_get_extremes_beside_minus_one_zero_and_one():
    """INT_MIN / -1 overflows and INT_MIN x -1 wraps to itself: a division that saturated there passed on about half
    of the seeds (the twelfth red team of 2026-12-05, 388), as every integer set drew its inputs alone."""
    plan = inputs.plan(sig("int32", (16, 16)), 2)
    crossed = {(p.set, p.rep) for p in plan if "+" in p.set}
    assert {("limit+tiny", 0), ("limit+tiny", 1), ("infinite+tiny", 0), ("infinite+tiny", 1)} <= crossed
    x, y, _ = inputs.make_args(next(p for p in plan if p.set == "limit+tiny" and p.rep == 0), sig("int32", (16, 16)),
                               7, 1)
    assert ((x == np.iinfo(np.int32).min) & (y == -1)).any() and set(np.unique(y)) <= {-1, 0, 1}
    # and INT_MIN in every input at one interior place: INT_MIN x INT_MIN (a rounding doubling high multiply that
    # left out its saturation there passed on some seeds, 391)
    z, w, _ = inputs.make_args(Pair("infinite", "random"), sig("int32", (16, 16)), 3, 1)
    assert ((z == np.iinfo(np.int32).min) & (w == np.iinfo(np.int32).min)).any()
    # float kernels keep their crosses (their limit and infinite sets beside tiny values are no such pair)
    assert not any(p.set in ("limit+tiny", "infinite+tiny") for p in inputs.plan(sig(n_in=2), 3))


def test_crossed_pairs_give_one_input_a_class_and_the_others_another():
    # every other pair draws all of its inputs from one class, so what one input looked like told a candidate
    # what the others were ("y is all positive, so x is"; "A is all zero, so the product is")
    plan = inputs.plan(sig(n_in=2), 3)
    crossed = [p for p in plan if "+" in p.set]
    assert {(p.set, p.rep) for p in crossed} == {("positive+negative", 0), ("positive+negative", 1),
                                                ("zeros+infinite", 0), ("zeros+infinite", 1),
                                                ("unit+magnitude", 0), ("unit+magnitude", 1),
                                                ("lowprec+normal", 0), ("lowprec+normal", 1),
                                                ("pixels+normal", 0), ("pixels+normal", 1),
                                                ("lattice+normal", 0), ("lattice+normal", 1),
                                                ("onehot+normal", 0), ("onehot+normal", 1)}
    for p in crossed:
        x0, x1, out = inputs.make_args(p, sig(n_in=2), 7, 1)
        first, other = (x0, x1) if p.rep == 0 else (x1, x0)
        if p.set == "positive+negative":
            assert (first > 0).all() and (other < 0).all()
        elif p.set == "zeros+infinite":
            assert (first == 0).all() and np.isinf(other).any()
        elif p.set == "lowprec+normal":  # bf16-exact beside full f32 significands
            assert np.array_equal(inputs._bf16(first), first) and not np.array_equal(inputs._bf16(other), other)
        elif p.set == "lattice+normal":  # integer multiples of a scale that is not a power of two
            step = np.abs(first).max() / 127
            assert np.allclose(first / step, np.round(first / step), atol=1e-3) and step != 2.0 ** np.round(np.log2(step))
        elif p.set == "onehot+normal":
            assert (first.sum(axis=-1) == 1).all() and set(np.unique(first)) == {0.0, 1.0}
        elif p.set == "pixels+normal":
            assert np.array_equal(first, np.round(first)) and first.min() >= 0 and first.max() <= 255
            assert not np.array_equal(other, np.round(other))
        else:
            assert first.min() >= 0 and first.max() <= 1 and (other >= 10).all()
        assert (out == 0).all() and "for the others" in p.describe(7)
    assert not [p for p in inputs.plan(sig(n_in=1), 3) if "+" in p.set]  # one input: nothing to cross
    assert {p.set for p in inputs.plan(sig("int32", n_in=3), 3) if "+" in p.set} == {"positive+negative",
                                                                                      "unit+magnitude",
                                                                                      "pixels+normal",
                                                                                      "onehot+normal",
                                                                                      "limit+tiny", "infinite+tiny"}
    # every input in the first class in turn (a 4th never was: a cheat dropped its sign where it was positive)
    assert len([p for p in inputs.plan(sig(n_in=5), 3) if "+" in p.set]) == 7 * 5  # the first three inputs each


def test_classes_of_realistic_data_hold_what_they_promise():
    """Classes a gate can key on that no other set reached (the sixth red team: terms under 1e-3 dropped where every
    value is in [0, 1], bf16 where the data looks post-ReLU, an i16 sum where a mask is 0/1, the one-pass variance
    where the mean is large, a lower-order stencil on a smooth field, half a product mirrored for symmetric A, B)."""
    unit, mask = fill("unit"), fill("unit", "int32")
    assert unit.min() == 0 and unit.max() <= 1 and (unit == 1).any() and set(np.unique(mask)) == {0, 1}
    relu = fill("relu")
    assert relu.min() == 0 and 0.3 < (relu == 0).mean() < 0.7 and (relu > 0).any()
    nonpos = fill("nonpositive")
    zeros = nonpos[nonpos == 0]
    assert nonpos.max() == 0 and (nonpos < 0).any() and np.signbit(zeros).any() and (~np.signbit(zeros)).any()
    off = fill("offset").astype(np.float64)
    assert abs(off.mean()) > 3 and off.std() < abs(off.mean()) * 0.2
    smooth = fill("smooth")
    assert np.abs(np.diff(smooth, axis=0)).max() < 0.5 and np.abs(np.diff(smooth, axis=1)).max() < 0.5
    assert smooth.std() > 0.2
    sym = fill("symmetric")
    assert np.array_equal(sym, sym.T) and fill("symmetric", "int8").min() >= -100
    names = [p.set for p in inputs.plan(sig(), 3)]
    assert {"unit", "relu", "nonpositive", "offset", "smooth", "symmetric"} <= set(names)
    assert "symmetric" not in [p.set for p in inputs.plan(sig(shape=(8, 9)), 3)]  # no square input: `normal` again


def test_index_ranges_are_unsigned_or_signed_and_keep_small_values():
    # a signed range [-m, m) for an index the baseline wraps when negative (Python's table[idx + n]); 0 and
    # small values stay as drawn, so the zeros set is still zeros (an integer division's zero divisor)
    import numpy as np

    from neurojit.evaluator.inputs import in_range

    x = np.array([0, -5, 5, 63, 64, -64, -65, 1000, -1000])
    assert list(in_range(x, -64)) == [0, -5, 5, 63, -64, -64, 63, -24, 24]
    assert list(in_range(x, 64)) == [0, 59, 5, 63, 0, 0, 63, 40, 24]
    assert in_range(x, -64).min() >= -64 and in_range(x, -64).max() < 64


def test_sets_of_structured_data_hold_their_structure():
    # data a user's inputs have that no other set draws: a cheat gated on it was right on every other pair
    # (the seventh red team: bf16 weights, uint8 pixels, softmax rows, strictly increasing bin edges)
    low = fill("lowprec")
    assert np.array_equal(inputs._bf16(low), low) and len(np.unique(low)) > 200 and (low < 0).any()
    px = fill("pixels")
    assert np.array_equal(px, np.round(px)) and px.min() >= 0 and px.max() <= 255 and len(np.unique(px)) > 200
    p = fill("simplex")
    assert (p >= 0).all() and np.allclose(p.sum(axis=-1), 1, atol=1e-5)
    for dt in ("float32", "int32"):
        inc = fill("increasing", dt)
        assert (np.diff(inc, axis=-1) > 0).all()
    assert (fill("increasing", "int32")[:, 0] == 0).all()  # row pointers start at 0
    assert inputs._bf16(np.array([1.0 + 2.0 ** -9, 1.0 + 3 * 2.0 ** -9])).tolist() == [1.0, 1.0 + 2.0 ** -7]


def test_kinked_rows_start_evenly_spaced_and_speckled_arrays_are_constant_but_for_a_few():
    # (the ninth red team: a row whose first gaps are equal summed in closed form; one period of a signal that
    # looked periodic at a few probes tiled)
    for dt in ("float32", "int32"):
        x = fill("kinked", dt)
        gaps = np.diff(x, axis=-1)
        assert (gaps > 0).all()
        first = gaps[:, :8]
        assert (first == first[:, :1]).all()  # evenly spaced at the start, exactly
        assert (gaps != gaps[:, :1]).any(axis=-1).all()  # ... and not all the way: every row kinks
        sp = fill("speckled", dt).reshape(-1)
        values, counts = np.unique(sp, return_counts=True)
        assert counts.max() == sp.size - 3 and sp[0] == sp[-1] == values[counts.argmax()]
    assert {"kinked", "speckled"} <= {p.set for p in inputs.plan(sig(shape=(8, 8), n_in=1), 3)}


def test_the_equal_set_makes_inputs_of_one_shape_and_type_equal():
    s = Signature("k", (Arg("x", (8, 8), "float32", "in"), Arg("n", (8,), "float32", "in"),
                        Arg("y", (8, 8), "float32", "in"), Arg("out", (8, 8), "float32", "out")))
    x, n, y, _ = inputs.make_args(Pair("equal", "random"), s, 3, 1)
    assert np.array_equal(x, y) and x is not y and len(np.unique(x)) == 64
    assert "equal" in {p.set for p in inputs.plan(s, 3)}
    assert "equal" not in {p.set for p in inputs.plan(sig(shape=(8,), n_in=1), 3)}


def test_sets_of_structured_matrices_and_the_ones_and_bias_states():
    tri = fill("triangular")
    assert (np.triu(tri, 1) == 0).all() and (np.abs(np.diag(tri)) >= 1).all() and (tri[np.tril_indices(64, -1)] != 0).mean() > 0.9
    rows = fill("broadcast")
    assert (rows == rows[0]).all() and len(np.unique(rows[0])) == 64
    s = sig(n_in=1)
    _, out = inputs.make_args(Pair("uniform", "ones"), s, 3, 1)
    assert (out == 1).all()
    _, out = inputs.make_args(Pair("normal", "bias"), s, 3, 1)
    assert (out == out[0]).all() and len(np.unique(out[0])) == 64
    assert {"ones", "bias"} <= {p.state for p in inputs.plan(s, 3)}


def test_accumulator_states_start_from_an_extreme_or_a_copy_of_an_input():
    s = Signature("k", (Arg("out", (4, 4), "float32", "out"), Arg("x", (4, 4), "float32", "in"),
                        Arg("m", (4,), "int32", "out")))
    out, x, m = inputs.make_args(Pair("normal", "copy"), s, 3, 1)
    assert np.array_equal(out, x) and out is not x and (m == 0).all()  # (the input after the output too)
    out, _, m = inputs.make_args(Pair("normal", "lowest"), s, 3, 1)
    assert (out == -np.inf).all() and (m == np.iinfo(np.int32).min).all()
    out, _, m = inputs.make_args(Pair("uniform", "highest"), s, 3, 1)
    assert (out == np.inf).all() and (m == np.iinfo(np.int32).max).all()
    states = {p.state for p in inputs.plan(s, 3)}
    assert {"copy", "lowest", "highest"} <= states
    ints = Signature("k", (Arg("x", (4,), "int32", "in"), Arg("out", (2,), "int32", "out")))
    states = {p.state for p in inputs.plan(ints, 3)}
    assert "highest" in states and not {"copy", "lowest"} & states  # (an integer's lowest is the nan state's)


def test_a_few_rows_hold_one_special_alone_in_their_tail():
    # where a loop split along the rows runs its remainder: a row max that dropped NaN in its last 7 of 255
    # columns passed, each row holding other NaNs too
    for seed in range(3):
        x = inputs.fill("nan", (16, 255), "float32", np.random.default_rng(seed), 1)
        alone = [r for r in range(16) if np.isnan(x[r]).sum() == 1 and np.isnan(x[r, -16:]).any()]
        assert len(alone) >= 3


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_types_get_their_own_nans(dtype):
    """f16 and bf16 are both 2 bytes: f16's NaN bits read as bf16 are 1.7e38, not NaN (the `nan` set had none)."""
    nan = fill("nan", dtype).astype(dtype)
    with np.errstate(invalid="ignore"):  # (a signalling NaN's cast raises the invalid flag)
        assert np.isnan(nan.reshape(-1)[0].astype(np.float64)) and np.isnan(nan.astype(np.float64)).sum() > 1
        assert not np.isinf(nan.astype(np.float64)).any()


@pytest.mark.parametrize("dtype,bits,quiet", [("float16", 16, 9), ("bfloat16", 16, 6), ("float32", 32, 22),
                                              ("float64", 64, 51)])
def test_the_nan_set_holds_signalling_nans(dtype, bits, quiet):
    """Values are made in f64, and every conversion quiets a NaN: a bf16 cast by add-and-shift whose NaN test knew
    the quiet pattern only turned a signalling NaN into Inf and passed (the twelfth red team of 2026-12-05, 383)."""
    x = fill("nan", dtype)
    u = x.reshape(-1).view(f"u{bits // 8}").astype(np.uint64)[np.isnan(x.reshape(-1))]
    is_quiet = (u >> np.uint64(quiet)) & np.uint64(1) == 1
    assert is_quiet[0] and is_quiet.sum() >= 2 and (~is_quiet).sum() >= 2  # numpy's NaN first, then every other one
    assert ((u[~is_quiet] & np.uint64((1 << quiet) - 1)) != 0).all()  # a payload: not Inf
    assert len(set((u[~is_quiet] >> np.uint64(bits - 1)).tolist())) == 2  # of both signs


def test_a_nudged_bool_input_changes_in_three_places():
    """The nudged pair changes three interior elements of each input; for a bool, a drawn value equal to the old
    one was made `x + 1`, which is the same True again (a quarter of the nudges did nothing)."""
    from neurojit.compiler.kernel import Arg, Signature
    from neurojit.evaluator.inputs import _nudged

    sig = Signature("f", (Arg("m", (64,), "bool", "in"), Arg("o", (64,), "float32", "out")), (), None, ())
    for seed in range(40):
        m = np.ones(64, bool)  # all true: every drawn true is the old value
        before = m.copy()
        _nudged([m, np.zeros(64, np.float32)], sig, np.random.default_rng(seed), None)
        assert (m != before).sum() == 3, seed
