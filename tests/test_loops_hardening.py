"""gilfree.loops hardening (issue #9): logsumexp accuracy when one term
dominates, histogram bins that do not fit the data range, clip's NumPy 2
(NEP 50) promotion of its bounds, 0-d softmax / cumsum, and integer
arguments far outside the int64 range. References: NumPy, SciPy, formulas."""

import math
import warnings

import gilfree
import numpy as np
import pytest
from scipy.special import logsumexp as sp_logsumexp
from scipy.special import softmax as sp_softmax

HUGE_INTS = [2**63, 2**70, -(2**63)]

# ------------------------------------------------------------------ logsumexp


def lse_formula(x):
    """m + log1p(sum of exp(x_i - m) over all but one largest element), in float64."""
    x = np.asarray(x, dtype=np.float64).ravel()
    k = int(np.argmax(x))
    rest = np.delete(x, k)
    return x[k] + math.log1p(math.fsum(np.exp(rest - x[k])))


@pytest.mark.parametrize("gap", [40.0, 20.0, 60.0, 700.0])
def test_logsumexp_one_dominant_term(gap):
    # SciPy's regression test gh18295: log(1 + tiny) must keep the tiny part
    x = np.array([0.0, -gap])
    want = sp_logsumexp(x)
    assert want == pytest.approx(lse_formula(x), rel=1e-15, abs=0)
    assert gilfree.logsumexp(x) == pytest.approx(want, rel=1e-15, abs=0)
    assert gilfree.logsumexp(x[::-1]) == pytest.approx(want, rel=1e-15, abs=0)
    got32 = gilfree.logsumexp(x.astype(np.float32))
    assert got32.dtype == np.float32
    assert got32 == np.float32(want)


def test_logsumexp_dominant_term_axis():
    x = np.array([[0.0, -40.0, -45.0], [-20.0, 3.0, 3.0 - 30.0], [5.0, 5.0, -50.0]])
    for axis in (0, 1, -1):
        want = sp_logsumexp(x, axis=axis)
        np.testing.assert_allclose(gilfree.logsumexp(x, axis=axis), want, rtol=1e-15, atol=0)
        np.testing.assert_allclose(
            gilfree.logsumexp(x, axis=axis, keepdims=True),
            sp_logsumexp(x, axis=axis, keepdims=True),
            rtol=1e-15,
        )
        got32 = gilfree.logsumexp(x.astype(np.float32), axis=axis)
        np.testing.assert_array_equal(
            got32, sp_logsumexp(x.astype(np.float32).astype(np.float64), axis=axis).astype(np.float32)
        )


@pytest.mark.parametrize("where", [0, 1023, 1024, 77_777, 99_999])
def test_logsumexp_dominant_term_long_rows(where):
    # the largest term in any block or chunk of a row long enough to be split
    x = np.full(100_000, -50.0)
    x[::7] = -45.0
    x[where] = 0.0
    want = lse_formula(x)
    assert gilfree.logsumexp(x) == pytest.approx(want, rel=1e-14, abs=0)
    rows = np.stack([x, np.roll(x, 5000)])
    np.testing.assert_allclose(gilfree.logsumexp(rows, axis=1), [want, want], rtol=1e-14)
    np.testing.assert_allclose(gilfree.logsumexp(rows.T, axis=0), [want, want], rtol=1e-14)
    one, two = (_with_threads(n, lambda: gilfree.logsumexp(rows, axis=1)) for n in (1, 2))
    assert one.tobytes() == two.tobytes()


def _with_threads(n, fn):
    with gilfree.threads(n):
        return fn()


def test_logsumexp_ties_and_specials():
    assert gilfree.logsumexp(np.zeros(3)) == pytest.approx(math.log(3.0), rel=1e-15, abs=0)
    assert gilfree.logsumexp(np.full(5000, 2.0)) == pytest.approx(2.0 + math.log(5000.0), rel=1e-15, abs=0)
    for x in ([-np.inf, -np.inf], [-np.inf, 0.0], [np.inf, 0.0], [np.nan, 0.0], [-np.inf, np.inf]):
        arr = np.array(x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want = sp_logsumexp(arr)
        np.testing.assert_array_equal(gilfree.logsumexp(arr), want)
    assert gilfree.logsumexp(np.array([])) == -np.inf


def test_softmax_dominant_term():
    x = np.array([[0.0, -40.0], [-20.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(gilfree.softmax(x), sp_softmax(x, axis=-1), rtol=1e-15)


# ------------------------------------------------------------------ histogram


def test_histogram_range_0d_array_names_range():
    with pytest.raises(TypeError, match="range"):
        gilfree.histogram(np.arange(3.0), range=np.array(1))
    with pytest.raises(TypeError, match="range"):
        gilfree.histogram(np.arange(3.0), range=np.array([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="range"):
        gilfree.histogram(np.arange(3.0), range=(1.0, np.array([2.0])))
    with pytest.raises(ValueError, match="range"):
        gilfree.histogram(np.arange(3.0), range=(0, 2**2000))


TOO_MANY_BINS = [
    ("all equal 1e308", np.full(3, 1e308), 10, None),
    ("all equal 1e308, one bin", np.full(3, 1e308), 1, None),
    ("all equal -1e308 float32", np.full(3, -3e38, dtype=np.float32), 4, None),
    ("range below the resolution", np.array([1, 1 + 2e-16] * 10), 10, None),
    ("float32 range below the resolution", np.float32([1, 1]), 1, (1.0, 1.0 + 2.2e-16)),
    ("float64 range of 3 ulps, 5 bins", np.ones(4), 5, (1.0, 1.0 + 6.7e-16)),
]


@pytest.mark.parametrize("label, x, bins, rng_range", TOO_MANY_BINS, ids=[c[0] for c in TOO_MANY_BINS])
def test_histogram_too_many_bins(label, x, bins, rng_range):
    with pytest.raises(ValueError, match="Too many bins"):
        np.histogram(x, bins=bins, range=rng_range)
    with pytest.raises(ValueError, match="bins"):
        gilfree.histogram(x, bins=bins, range=rng_range)


def test_histogram_narrow_range_that_fits():
    x = np.array([1, 1 + 4.5e-16] * 10)  # 2 ulps wide: 2 bins still increase
    for bins in (1, 2):
        c, e = gilfree.histogram(x, bins=bins)
        wc, we = np.histogram(x, bins=bins)
        np.testing.assert_array_equal(c, wc)
        np.testing.assert_array_equal(e, we)


@pytest.mark.parametrize(
    "x, rng_range",
    [
        (np.float32([0.01, 0.05, 0.0999]), (np.float64(0.0), np.float64(0.1))),
        (np.float32([0.01, 0.05, 0.0999]), (0.0, 0.1)),
        (np.float32([0.01, 0.05, 0.0999]), (np.float32(0.0), 0.1)),
        (np.arange(5, dtype=np.int32), (np.float32(0.0), np.float32(4.0))),
        (np.arange(5, dtype=np.int64), (0, 4)),
    ],
)
def test_histogram_bin_dtype_follows_range(x, rng_range):
    # NumPy's bin dtype is np.result_type(lo, hi, x) (integers: float64)
    c, e = gilfree.histogram(x, bins=7, range=rng_range)
    wc, we = np.histogram(x, bins=7, range=rng_range)
    assert e.dtype == we.dtype
    np.testing.assert_array_equal(e, we)
    np.testing.assert_array_equal(c, wc)


@pytest.mark.parametrize("bins", HUGE_INTS + [np.uint64(2**63)])
def test_histogram_huge_bins(bins):
    with pytest.raises(ValueError, match="bins"):
        gilfree.histogram(np.arange(3.0), bins=bins)


# ------------------------------------------------------------------ clip

ARRAY_DTYPES = [np.int32, np.int64, np.float32, np.float64]
BOUNDS = [
    5,
    -7,
    2**31,
    -(2**31) - 1,
    2**40,
    -(2**40),
    2**63,
    -(2**63) - 1,
    2**70,
    2.5,
    -1e300,
    math.inf,
    math.nan,
    np.int8(3),
    np.int32(-3),
    np.int64(2**40),
    np.uint32(3),
    np.uint64(2**63),
    np.float16(2.5),
    np.float32(-2.5),
    np.float64(2.5),
    np.float64(-3.4028235677973366e38),
]


def _np_clip(x, lo, hi):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # float32 overflow of a python float bound
        return np.clip(x, lo, hi)


@pytest.mark.parametrize("dtype", ARRAY_DTYPES)
@pytest.mark.parametrize("bound", BOUNDS, ids=[f"{type(b).__name__}({b!r})" for b in BOUNDS])
def test_clip_promotes_as_numpy(dtype, bound):
    x = np.arange(-6, 6, dtype=dtype)
    for lo, hi, name in ((bound, None, "lo"), (None, bound, "hi"), (bound, 4, "lo"), (-4, bound, "hi")):
        try:
            want = _np_clip(x, lo, hi)
        except OverflowError:  # a Python int out of x's range on the side that matters
            with pytest.raises(ValueError, match=name):
                gilfree.clip(x, lo, hi)
            continue
        got = gilfree.clip(x, lo, hi)
        assert got.dtype == want.dtype, (lo, hi)
        np.testing.assert_array_equal(got, want)


def test_clip_issue_examples():
    got = gilfree.clip(np.arange(5, dtype=np.int32), np.uint64(2**63), None)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.full(5, 2.0**63))
    got = gilfree.clip(np.zeros(1, np.float32), None, np.float64(-3.4028235677973366e38))
    assert got.dtype == np.float64
    assert got[0] == -3.4028235677973366e38


def test_clip_bound_dtype_not_supported():
    with pytest.raises(TypeError, match="hi"):
        gilfree.clip(np.zeros(3), 0.0, np.longdouble(1.0))
    with pytest.raises(ValueError, match="lo"):
        gilfree.clip(np.zeros(3), 2**2000, None)


def test_clip_out_takes_promoted_dtype():
    x = np.arange(4, dtype=np.int32)
    out = np.empty(4, np.int64)
    assert gilfree.clip(x, np.int64(2), None, out=out) is out
    np.testing.assert_array_equal(out, np.clip(x, np.int64(2), None))
    with pytest.raises(TypeError, match="out"):
        gilfree.clip(x, np.int64(2), None, out=np.empty(4, np.int32))


# ------------------------------------------------------------------ 0-d inputs

ZERO_D = [1000, np.float32(3.0), np.array(2.0), np.int32(7), np.array(-np.inf), np.array(np.nan)]


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # SciPy's, for -inf
@pytest.mark.parametrize("x", ZERO_D, ids=repr)
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_softmax_0d(x, axis):
    got = gilfree.softmax(x, axis=axis)
    want = sp_softmax(x, axis=axis)
    assert got.shape == np.shape(want)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("x", ZERO_D, ids=repr)
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_cumsum_0d(x, axis):
    got = gilfree.cumsum(x, axis=axis)
    want = np.cumsum(x, axis=axis)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want.astype(got.dtype))


@pytest.mark.parametrize("axis", [1, -2, 5])
def test_softmax_cumsum_0d_bad_axis(axis):
    for fn in (gilfree.softmax, gilfree.cumsum):
        with pytest.raises(ValueError, match="axis"):
            fn(np.array(1.0), axis=axis)


# ------------------------------------------------------------------ huge integer arguments

AXIS_FUNCTIONS = [
    "sum",
    "mean",
    "var",
    "std",
    "min",
    "max",
    "argmin",
    "argmax",
    "norm",
    "logsumexp",
    "softmax",
    "cumsum",
]


@pytest.mark.parametrize("value", HUGE_INTS, ids=str)
@pytest.mark.parametrize("name", AXIS_FUNCTIONS)
def test_huge_axis(name, value):
    with pytest.raises(ValueError, match="axis"):
        getattr(gilfree, name)(np.ones((2, 3)), axis=value)
    with pytest.raises(ValueError, match="axis"):
        getattr(gilfree, name)(np.ones((2, 3)), axis=np.int64(value) if -(2**63) <= value < 2**63 else value)


@pytest.mark.parametrize("value", HUGE_INTS, ids=str)
def test_huge_ddof(value):
    x = np.arange(12.0).reshape(3, 4)
    m2 = np.sum((x - x.mean()) ** 2)
    want = m2 / (x.size - value) if x.size - value > 0 else np.inf  # the formula, as np.var for ddof >= n
    assert gilfree.var(x, ddof=value) == pytest.approx(want, rel=1e-15, abs=0)
    assert gilfree.std(x, ddof=value) == pytest.approx(math.sqrt(want), rel=1e-15, abs=0)


@pytest.mark.parametrize("value", HUGE_INTS, ids=str)
def test_huge_other_ints(value):
    x = np.arange(12.0).reshape(3, 4)
    with pytest.raises(ValueError, match="ord"):
        gilfree.norm(x, ord=value)
    with pytest.raises(TypeError, match="keepdims"):
        gilfree.sum(x, keepdims=value)
    np.testing.assert_array_equal(gilfree.axpy(value, x, x), value * x + x)
    lo, hi = (value, -value) if value < 0 else (-value, value)
    c, e = gilfree.histogram(x, range=(lo, hi))
    wc, we = np.histogram(x, range=(float(lo), float(hi)))
    np.testing.assert_array_equal(c, wc)
    np.testing.assert_array_equal(e, we)
