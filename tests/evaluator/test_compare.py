"""The comparison rules (evaluator/compare.py), one test per rule, on hand-made arrays."""

import numpy as np

from neurojit.evaluator import compare as compare_module
from neurojit.evaluator.compare import bounds, compare, tolerance, typical, ulp_errors, underflow_floor, within

F32 = np.float32
MAX = float(np.finfo(F32).max)
RTOL = tolerance("float32", 16, 32.0)


def f32(*v):
    return np.array(v, F32)


def f64(*v):
    return np.array(v, np.float64)


def test_within_tolerance_of_the_exact_result_passes_and_beyond_it_is_wrong():
    exact = f64(1.0, -2.0, 3.0)
    base = exact.astype(F32)
    assert compare(f32(1.0, -2.0, 3.0 * (1 + RTOL / 4)), base, RTOL, exact).problem is None
    c = compare(f32(1.0, -2.0, 3.1), base, RTOL, exact)
    assert c.problem == "wrong" and "first at (2,)" in c.where and "exact 3" in c.where


def test_closer_to_the_exact_result_than_the_baseline_passes():
    # the baseline rounded its way to 1e-3 away (a reassociation may land elsewhere): the exact value decides
    exact = f64(1.0, 1.0)
    assert compare(f32(1.0, 1.0), f32(1.0, 1.0 + 1e-3), RTOL, exact).problem is None


def test_nonfinite_where_the_exact_result_is_finite_is_nonfinite():
    exact = f64(1.0, 2.0)
    for bad in (np.nan, np.inf, -np.inf):
        c = compare(f32(1.0, bad), exact.astype(F32), RTOL, exact)
        assert c.problem == "nonfinite" and "first at (1,)" in c.where


def test_any_value_where_the_baseline_itself_misses_the_exact_result():
    # the baseline's order overflowed an intermediate: another order may overflow too, or not, and a max,
    # exp or division may turn the Inf into any finite value
    exact = f64(1e38, -3e38)
    base = f32(np.inf, np.nan)
    for got in (f32(np.inf, -np.inf), f32(1e38, np.nan), f32(-3.0, 0.0)):
        assert compare(got, base, RTOL, exact).problem is None
    exact = f64(5.0, 2.0)
    base = f32(0.0, 2.0)  # relu(-Inf) = 0 where the exact pre-activation was 5
    for got in (f32(np.nan, 2.0), f32(5.0, 2.0), f32(0.0, 2.0)):
        assert compare(got, base, RTOL, exact).problem is None
    assert compare(f32(5.0, 2.5), base, RTOL, exact).problem == "wrong"  # elsewhere it is held to the exact value



def test_past_the_range_every_order_overflows():
    # the exact value rounds to Inf in f32 (exp(100) computed in f64): the Inf of its sign, or the baseline's
    # value; a saturated finite value is wrong (an exp clamped at 88.7 below x = 709 passed as rule 2's)
    exact = f64(2.7e43, -9e76, 1.0)
    base = f32(np.inf, np.nan, 1.0)
    for got in (f32(np.inf, -np.inf, 1.0), f32(np.inf, np.nan, 1.0)):
        assert compare(got, base, RTOL, exact).problem is None
    for got in (f32(3.4e38, -np.inf, 1.0), f32(-np.inf, -np.inf, 1.0), f32(np.inf, 0.0, 1.0), f32(np.nan, np.nan, 1.0)):
        assert compare(got, base, RTOL, exact).problem == "wrong", got
    # where some order's partial sums pass the range (rule 1's edge), any NaN or Inf (an Inf - Inf of two
    # overflowed partial sums); where no op may launder an overflow, not a finite value: +-1.0 of the exact
    # value's sign passed that way; where one may, a finite value of its sign (a ReLU's 0 for a -Inf sum)
    for got in (f32(np.nan, np.inf, 1.0), f32(-np.inf, np.nan, 1.0)):
        assert compare(got, base, RTOL, exact, overflows=True, launders=False).problem is None
    for got in (f32(3.3e38, -np.inf, 1.0), f32(1.0, -1.0, 1.0), f32(-3.3e38, -np.inf, 1.0)):
        assert compare(got, base, RTOL, exact, overflows=True, launders=False).problem == "wrong", got
    for got in (f32(3.3e38, -np.inf, 1.0), f32(0.0, -1.0, 1.0)):
        assert compare(got, base, RTOL, exact, overflows=True).problem is None
    assert compare(f32(-3.3e38, -np.inf, 1.0), base, RTOL, exact, overflows=True).problem == "wrong"


def test_where_the_baseline_overflowed_another_order_overflows_or_is_right():
    # rule 2 where the baseline's order overflowed (Inf, then NaN) but the exact value is inside the range, in
    # a kernel whose ops keep an overflow (no max, exp, division by a computed value: `launders`): another
    # order's NaN or Inf, or a value within the bound; a finite value elsewhere is no order's (a row sanitised
    # to 0 after an overflow passed as "any value")
    exact = f64(1.0, 2.5e20, -3e21)
    base = f32(1.0, np.inf, np.nan)
    for got in (f32(1.0, 2.5e20, -3e21), f32(1.0, np.nan, np.inf), base.copy()):
        assert compare(got, base, RTOL, exact, launders=False).problem is None, got
    for got in (f32(1.0, 0.0, -3e21), f32(1.0, 2.5e20, 1.0)):
        assert compare(got, base, RTOL, exact, launders=False).problem == "wrong", got
        assert compare(got, base, RTOL, exact).problem is None  # where an op may launder it: any value
    # where the baseline is finite but missed the exact value (an Inf laundered by a max), any value
    assert compare(f32(1.0, 7.0, 9.0), f32(1.0, 0.0, 0.0), RTOL, exact, launders=False).problem is None

def test_the_baseline_always_passes_itself():
    rng = np.random.default_rng(0)
    exact = rng.standard_normal(100) * 10.0 ** rng.uniform(-40, 80, 100)
    exact[::7], exact[::11], exact[::13] = np.nan, np.inf, -np.inf
    with np.errstate(over="ignore"):
        base = exact.astype(F32)
    base[::5] = rng.standard_normal(20)  # wherever its own rounding or overflow took it
    assert compare(base.copy(), base, RTOL, exact).problem is None


def test_infinite_exact_result_must_be_matched():
    exact = f64(np.inf, -np.inf)
    assert compare(f32(np.inf, -np.inf), f32(np.inf, -np.inf), RTOL, exact).problem is None
    assert compare(f32(np.inf, 5.0), f32(np.inf, -np.inf), RTOL, exact).problem == "wrong"
    assert compare(f32(np.inf, np.inf), f32(np.inf, -np.inf), RTOL, exact).problem == "wrong"


def test_nan_is_required_where_the_baseline_gives_nan_and_the_exact_result_is_undefined():
    exact = f64(np.nan, 1.0)
    assert compare(f32(np.nan, 1.0), f32(np.nan, 1.0), RTOL, exact).problem is None
    c = compare(f32(0.0, 1.0), f32(np.nan, 1.0), RTOL, exact)  # a zero shortcut that skips 0 x Inf
    assert c.problem == "wrong" and "got 0" in c.where


def test_signed_zeros_compare_equal():
    exact = f64(0.0, -0.0)
    assert compare(f32(-0.0, 0.0), f32(0.0, -0.0), RTOL, exact).problem is None


def test_tolerance_is_normwise_over_the_output():
    # a small element next to large ones may carry an absolute error of rtol x the largest
    exact = f64(1000.0, 1e-3)
    assert compare(f32(1000.0, 1e-3 + 500 * RTOL), f32(1000.0, 1e-3), RTOL, exact).problem is None


def test_subnormal_outputs_are_compared_to_a_few_subnormal_units():
    tiny = float(np.finfo(F32).smallest_normal)
    exact = f64(tiny / 4, -tiny / 8)  # subnormal results
    atol = underflow_floor("float32", 1)
    assert compare(exact.astype(F32), exact.astype(F32), RTOL, exact, atol).problem is None
    assert compare(f32(0.0, 0.0), exact.astype(F32), RTOL, exact, atol).problem == "wrong"  # flushed to zero


def test_without_an_exact_result_the_baseline_stands_in():
    base = f32(1.0, np.nan, np.inf)
    assert compare(f32(1.0, np.nan, np.inf), base, RTOL).problem is None
    assert compare(f32(1.0, 0.0, np.inf), base, RTOL).problem == "wrong"
    assert compare(f32(np.nan, np.nan, np.inf), base, RTOL).problem == "nonfinite"


def test_integers_are_exact_and_wrap_as_the_baseline_wraps():
    wrapped = (np.array([2**31 - 1], np.int64) + 1).astype(np.int32)  # -2^31
    assert compare(wrapped, wrapped.copy(), 0.0).problem is None
    c = compare(np.array([2**31 - 1], np.int32), wrapped, 0.0)  # saturated instead of wrapped
    assert c.problem == "wrong" and "got 2147483647" in c.where and "-2147483648" in c.where


def test_the_promotion_gate_call_still_unpacks():
    problem, err, rel, where = compare(f32(1.0), f32(1.0), RTOL)
    assert problem is None and err == 0.0 and where == ""


def test_a_candidate_may_err_a_few_times_as_much_as_the_baseline_does():
    # a deep sum that cancels, then a tanh: the output is small and bounded, its error is not (k01 of an unseen
    # torch-mlir Linear + tanh: the baseline 7.3e-5 off the exact result, a correct reordering 8.1e-5)
    rtol = 6.12e-5
    exact = np.array([-0.22297017, 0.5, 0.9], np.float64)
    base = (exact + [6.5e-5, 1e-6, 0.0]).astype(np.float32)  # within the tolerance (6.9e-5 there): rule 1
    for err, problem in [(8.1e-5, None), (2.5e-4, None), (4.0e-4, "wrong")]:
        got = (exact + [err, 0.0, 0.0]).astype(np.float32)
        assert compare(got, base, rtol, exact).problem == problem, err
    # without an exact result the baseline's error is not known: no widening
    assert compare((exact + [2.5e-4, 0.0, 0.0]).astype(np.float32), base, rtol).problem == "wrong"


def test_where_the_terms_magnitudes_are_known_a_small_element_is_not_left_to_the_largest_ones_tolerance():
    # x * y + x over elements of very different sizes: rounding the small one to a step of max|out| x 2^-20 is
    # within the normwise bound, but far beyond what its own terms (|x| |y| + |x|) allow any evaluation order
    rtol = tolerance("float32", 1, 32.0)
    exact = f64(1000.0, 0.001)
    base = exact.astype(F32)
    got = f32(1000.0, 0.001 + 1000.0 * 2.0 ** -20)
    assert compare(got, base, rtol, exact).problem is None
    assert compare(got, base, rtol, exact, magnitude=f64(1000.0, 0.0015)).problem == "wrong"
    fma = f32(1000.0, float(np.float32(0.001)) + 3e-11)  # a correct order's rounding there: within its terms
    assert compare(fma, base, rtol, exact, magnitude=f64(1000.0, 0.0015)).problem is None
    assert compare(got, base, rtol, exact, magnitude=f64(1000.0, np.nan)).problem is None  # unknown: normwise


def test_the_widening_by_the_baseline_error_keeps_a_small_elements_bound_small():
    # the baseline's rounding at a huge element (0.03 of a 1e6) must not open every element to 4x that: a
    # candidate zeroing a small element (exact 0.002, its terms 0.003) stays wrong (a review found the
    # normwise widening undid the magnitude bound)
    rtol = tolerance("float32", 1, 32.0)
    exact = f64(1e6 + 0.03, 0.002)
    base = exact.astype(F32)
    assert compare(f32(1e6, 0.0), base, rtol, exact, magnitude=f64(2e6, 0.003)).problem == "wrong"
    assert compare(f32(1e6, 0.002), base, rtol, exact, magnitude=f64(2e6, 0.003)).problem is None


def test_an_overflow_another_correct_order_may_meet_is_no_evidence():
    # near-limit terms +a, -b, +c: the baseline's a - b + c stays finite, two lanes' a + c overflows. Where the
    # caller says an order may overflow (equivalence.py: the terms' magnitudes reach the range), a NaN or Inf
    # is accepted; elsewhere it stays `nonfinite`, and a finite value is held to the tolerance as ever
    exact = f64(0.5 * MAX, 1.0)
    base = exact.astype(F32)
    got = f32(np.inf, 1.0)
    assert compare(got, base, RTOL, exact).problem == "nonfinite"
    assert compare(got, base, RTOL, exact, overflows=np.array([False, True])).problem == "nonfinite"
    assert compare(got, base, RTOL, exact, overflows=np.array([True, False])).problem is None
    assert compare(f32(1.0, np.inf), base, RTOL, exact, overflows=np.array([True, False])).problem == "nonfinite"
    assert compare(f32(0.25 * MAX, 1.0), base, RTOL, exact, overflows=True).problem == "wrong"


def test_rule_5_a_precision_cut_throughout_is_wrong_and_a_few_ulps_are_not():
    """Typical accuracy: the candidate's median error in ulps of the exact value, at most 8x the baseline's
    + 4 ulp. A 12-bit mantissa inside every element's normwise bound fails it; rounding the exact value once
    more than the baseline does (a reciprocal, an FMA) does not."""
    rng = np.random.default_rng(3)
    exact = rng.standard_normal(4096) * np.exp(rng.uniform(-3, 3, 4096))
    base = exact.astype(F32)  # the baseline: rounded once (its median error ~0.25 ulp)
    ulp = np.spacing(np.abs(base)).astype(np.float64)
    near = (exact + rng.uniform(-3, 3, 4096) * ulp).astype(F32)  # a few ulps off: a legitimate reordering
    cut = (base.view(np.int32) & np.int32(~0xFFF)).view(F32)  # 12 low bits dropped: ~1000 ulp typically
    assert typical(*ulp_errors(near, base, exact)) is None
    why = typical(*ulp_errors(cut, base, exact))
    assert why is not None and "precision cut" in why
    assert typical(*ulp_errors(cut[:8], base[:8], exact[:8])) is None  # 8 elements say nothing typical
    # a deep sum: a plain sequential one typically errs by ~0.17 sqrt(n) ulp, against an accurate (Kahan)
    # baseline's fraction of one; the floor grows with the depth so that it is no precision cut
    plain = (exact + rng.uniform(-20, 20, 4096) * ulp).astype(F32)  # ~10 ulp typically: n = 4096 terms
    assert typical(*ulp_errors(plain, base, exact), depth=4096) is None
    assert typical(*ulp_errors(plain, base, exact), depth=1) is not None
    # non-finite elements are left out (rules 1-4 judge them); the rest still speak
    exact[::7] = np.inf
    assert typical(*ulp_errors(cut, base, exact)) is not None


def test_the_representable_range_ends_where_a_cast_rounds_to_inf():
    # compare() tells an exact value the output's dtype can hold by its magnitude alone: below the value that
    # rounds to Inf in a cast (the largest plus half its last place), as numpy's own cast decides
    from neurojit.evaluator.compare import _ROUNDS_TO_INF

    import ml_dtypes

    for d, wide in ((np.float16, np.float64), (np.float32, np.float64), (np.float64, np.longdouble),
                    (ml_dtypes.bfloat16, np.float64)):
        edge = wide(_ROUNDS_TO_INF[d])
        with np.errstate(over="ignore"):
            assert np.isinf(np.array([edge], wide).astype(d))[0], d
            assert np.isfinite(np.array([np.nextafter(edge, wide(0))], wide).astype(d))[0], d


def test_a_0d_output_compares_like_any_other():
    # a dot product into a 0-d output: numpy's arithmetic on 0-d arrays gives scalars, which no `out=` takes
    one = np.array(1.0, np.float32)
    assert compare(one.copy(), one, 1e-5, np.array(1.0), magnitude=np.array(2.0)).problem is None
    wrong = compare(np.array(2.0, np.float32), one, 1e-5, np.array(1.0))
    assert wrong.problem == "wrong" and "first at ()" in wrong.where
    assert compare(np.array(np.nan, np.float32), one, 1e-5, np.array(1.0)).problem == "nonfinite"


def test_bounds_worked_out_beforehand_judge_a_finite_output_as_compare_does(monkeypatch):
    # the reference process's `bounds` and a worker's `within` against the whole rule set, on outputs that
    # pass, fail by a little, fail in one small element (magnitudes known) and fail wholesale; f32 and f64;
    # in chunks of 1000 elements (the last one short)
    monkeypatch.setattr(compare_module, "WITHIN_CHUNK", 1000)
    rng = np.random.default_rng(3)
    for dtype, wide in ((F32, np.float64), (np.float64, np.longdouble)):
        rtol = tolerance(np.dtype(dtype).name, 64, 32.0)
        atol = underflow_floor(np.dtype(dtype).name, 64)
        exact = rng.standard_normal(4096).astype(wide) * rng.permutation(np.logspace(-3, 3, 4096))
        base = (exact * (1 + rng.uniform(-1, 1, 4096) * float(np.finfo(dtype).eps))).astype(dtype)
        mag = np.abs(exact).astype(np.float64) * 3 if dtype is F32 else None
        tol = bounds(base, rtol, exact, atol, mag)
        assert tol is not None
        near = (exact * (1 + rng.uniform(-1, 1, 4096) * 4 * float(np.finfo(dtype).eps))).astype(dtype)
        off_small = near.copy()
        off_small[np.argmin(np.abs(exact))] *= 1.01
        for got in (base, near):  # a pass is told as compare tells it, errors included
            assert within(got, exact, tol) == compare(got, base, rtol, exact, atol, magnitude=mag)
        for got in (off_small, (exact * 1.001).astype(dtype), near[::-1].copy()):  # a failure: compare says it
            assert within(got, exact, tol) is None
            assert compare(got, base, rtol, exact, atol, magnitude=mag).problem == "wrong"
        nan = near.copy()
        nan[7] = np.nan
        assert within(nan, exact, tol) is None  # the other rules decide: compare is called
        both = near.copy()  # out of bounds in the first chunk, NaN in the last: nonfinite, not wrong
        both[0], both[-1] = both[0] * 1.5, np.nan
        assert within(both, exact, tol) is None
        assert compare(both, base, rtol, exact, atol, magnitude=mag).problem == "nonfinite"
        bad = exact.copy()
        bad[5] = np.inf
        assert bounds(base, rtol, bad, atol, mag) is None  # rule 1 does not cover the whole output
        missed = base.copy()
        missed[9] = missed[9] * 2 + 1
        assert bounds(missed, rtol, exact, atol, mag) is None  # the baseline outside its own bound (rule 2)
    assert bounds(np.arange(4, dtype=np.int32), 0.0, np.arange(4.0), 0.0) is None  # integers compare exactly
    exact = np.array(3.0)  # a 0-d output (a dot product's)
    tol = bounds(np.array(3.0, F32), RTOL, exact, 0.0)
    assert within(np.array(3.0, F32), exact, tol) == compare(np.array(3.0, F32), np.array(3.0, F32), RTOL, exact, 0.0)
    assert within(np.array(3.1, F32), exact, tol) is None


def test_where_the_baseline_is_finite_but_off_its_bound_no_worse_than_it():
    # a product in the subnormals divided by a tiny divisor: the baseline's own rounding puts it outside its
    # bound. In a kernel whose ops keep an overflow (`launders` false) that is no overflow, so the candidate is
    # held to BASELINE_ERRORS times the baseline's error there (12345 passed as rule 2's "any value")
    exact = f64(1e-3, 1e-3)
    base = f32(1e-3, 1.001e-3)  # 1e-3 off relative, far past RTOL
    for got in (f32(1e-3, 1.002e-3), f32(1e-3, 1e-3), base.copy()):
        assert compare(got, base, RTOL, exact, launders=False).problem is None, got
    for got in (f32(1e-3, 12345.0), f32(1e-3, 1.01e-3), f32(1e-3, np.nan)):
        assert compare(got, base, RTOL, exact, launders=False).problem == "wrong", got
        assert compare(got, base, RTOL, exact).problem is None  # where an op may launder an overflow: any value
    assert compare(f32(1e-3, np.inf), base, RTOL, exact, overflows=True, launders=False).problem is None


def test_where_no_reference_knows_the_value_any_value_passes_and_only_there():
    # rule 6: the baseline and both twins overflowed an intermediate (softplus(1e5): exp(1e5) is Inf even in f80)
    exact, base = f64(np.inf, 2.0), f32(np.inf, 2.0)
    unknown = np.array([True, False])
    assert compare(f32(1e5, 2.0), base, RTOL, exact).problem == "wrong"  # (rule 3 without the mask)
    assert compare(f32(1e5, 2.0), base, RTOL, exact, unknown=unknown).problem is None
    assert compare(f32(np.nan, 2.0), base, RTOL, exact, unknown=unknown).problem is None
    assert compare(f32(1e5, 3.0), base, RTOL, exact, unknown=unknown).problem == "wrong"  # elsewhere as before


def _cut(shape, seed, where, ulps):
    """(exact, a baseline's f32 result within 3 ulp, a candidate's within 3 ulp but ~`ulps` at `where`, a fair
    candidate's within 3 ulp): a reordering's errors are everywhere alike, a cut's are not."""
    rng = np.random.default_rng(seed)
    exact = rng.standard_normal(shape)
    ulp = np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
    near = lambda: (exact + rng.uniform(-3, 3, shape) * ulp).astype(np.float32)  # noqa: E731
    base = near()
    cand = exact + rng.uniform(-3, 3, shape) * ulp
    cand[where] = (exact + rng.uniform(-ulps, ulps, shape) * ulp)[where]
    return exact, base, cand.astype(np.float32), near()


def test_a_precision_cut_on_a_few_rows_is_seen_by_the_median_of_their_block():
    # 4 rows of 100 with errors of ~500 ulp, the rest like the baseline's: the whole output's median and 90th
    # percentile pass, the median of the last sixteenth of the rows does not
    exact, base, cand, fair = _cut((100, 64), 0, np.s_[96:], 1000)
    c, b, k = ulp_errors(cand, base, exact, blocks=True)
    assert typical(c, b, 64, tail=False) is None  # (the whole output's median and 90th percentile alone)
    why = typical(c, b, 64, k, tail=False)
    assert why is not None and "block 16 of the 16 of its rows" in why
    # (4% of the output: the 99th percentile sees it too, where the kernel does not amplify rounding)
    assert "99th percentile" in typical(c, b, 64, k)
    c, b, k = ulp_errors(fair, base, exact, blocks=True)
    assert typical(c, b, 64, k) is None


def test_a_cut_of_every_19th_column_is_seen_by_the_99th_percentile():
    # 5% of the elements at ~1000 ulp, spread over every block: the median, the 90th percentile and every block's
    # median pass; the 99th percentile does not (the ninth red team's softmax, corpus 356)
    exact, base, cand, fair = _cut((64, 512), 1, np.s_[:, ::19], 2000)
    c, b, k = ulp_errors(cand, base, exact, blocks=True)
    assert typical(c, b, 1, k, tail=False) is None
    assert "99th percentile" in typical(c, b, 1, k)
    c, b, k = ulp_errors(fair, base, exact, blocks=True)
    assert typical(c, b, 1, k) is None


def test_a_half_outputs_roundings_bound_each_element_by_its_own_value():
    """bf16/f16 outputs (compare.HALVES): the half type's ulps bound each element by its own value, the sums' part
    alone normwise; where the baseline itself is outside that (its sums in the half type), the half type's eps
    for the depth, normwise. The eleventh red team's output cuts to 6 of bf16's 8 bits passed the normwise form."""
    import ml_dtypes

    bf = ml_dtypes.bfloat16
    exact = np.geomspace(1e-4, 1.0, 1000)
    baseline = exact.astype(bf)
    rtol = tolerance("bfloat16", 64, 32.0)
    got = baseline.copy()
    got[:500] = (exact[:500] * 1.05).astype(bf)  # the small half 5% off: ~6 bf16 ulps
    assert compare(got, baseline, rtol, exact, 0.0).problem == "wrong"
    assert compare(baseline, baseline, rtol, exact, 0.0).problem is None
    # a baseline 5% off at one element sums in bf16: another order may be as far off anywhere
    rough = baseline.copy()
    rough[700] = (exact[700] * 1.05).astype(bf)
    assert compare(got, rough, rtol, exact, 0.0).problem is None


def test_an_exact_value_that_rounds_to_inf_accepts_the_inf_the_baseline_missed():
    """An f16 sum of 65580 rounds to +Inf in f16 (past 65520); the baseline's order stayed at 65504, within its
    tolerance of the exact value. The candidate's +Inf is the correctly rounded answer: it was `nonfinite` (rule 1
    judged the element as representable). The wrong sign's Inf, or a value far off, stays wrong."""
    base = np.array([65504.0, 1.0], np.float16)
    exact = np.array([65580.0, 1.0])
    rtol = tolerance("float16", 256, 32.0)
    assert compare(np.array([np.inf, 1.0], np.float16), base, rtol, exact).problem is None
    assert compare(base.copy(), base, rtol, exact).problem is None
    assert compare(np.array([-np.inf, 1.0], np.float16), base, rtol, exact).problem is not None
    assert compare(np.array([30000.0, 1.0], np.float16), base, rtol, exact).problem is not None
    # bf16 too (its edge was missing: past the range, any value passed)
    import ml_dtypes

    bf = ml_dtypes.bfloat16
    top = float(ml_dtypes.finfo(bf).max)
    base = np.array([top, 1.0], bf)
    exact = np.array([top * 1.0025, 1.0])  # past the edge (max + half its last place: 1.0020 max)
    rtol = tolerance("bfloat16", 256, 32.0)
    assert compare(np.array([np.inf, 1.0], bf), base, rtol, exact).problem is None
    for wrong in (-5.0, np.nan, -np.inf):
        assert compare(np.array([wrong, 1.0], bf), base, rtol, exact).problem is not None, wrong


def test_bools_compare_by_their_bytes():
    """A bool output is 0 or 1 in each byte: a candidate storing 0xFF (a sign-extended true) is wrong, though numpy
    reads it as True."""
    base = np.array([True, False, True])
    got = base.copy()
    got.view(np.uint8)[0] = 0xFF
    assert compare(base.copy(), base, 0.0).problem is None
    assert compare(got, base, 0.0).problem == "wrong"
