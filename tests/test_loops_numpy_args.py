"""NumPy's / SciPy's arguments of four typed loops (issue #11): logsumexp's
b= and return_sign=, norm's vector ords, histogram's edge arrays, weights and
density, clip's array bounds; references from scipy.special.logsumexp,
np.linalg.norm, np.histogram and np.clip."""

from __future__ import annotations

import warnings

import gilfree
import numpy as np
import pytest

special = pytest.importorskip("scipy.special")

FLOATS = [np.float32, np.float64]
DTYPES = [np.int32, np.int64, np.float32, np.float64]


def _tol(dtype):
    return 2e-6 if np.dtype(dtype) == np.float32 else 1e-13


def _same_bits(fn):
    """fn() under 1 and 2 threads: identical bytes (a tuple's items each)."""
    with gilfree.threads(1):
        one = fn()
    with gilfree.threads(2):
        two = fn()
    one = one if isinstance(one, tuple) else (one,)
    two = two if isinstance(two, tuple) else (two,)
    for a, b in zip(one, two, strict=True):
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes()


# ------------------------------------------------------------------ logsumexp


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_b_matches_scipy(dtype, axis, keepdims):
    rng = np.random.default_rng(11)  # per test: parallel threads share the module
    x = (rng.normal(size=(7, 13)) * 5).astype(dtype)
    b = rng.normal(size=(7, 13)).astype(dtype)
    b[rng.random(b.shape) < 0.2] = 0
    for sign in (False, True):
        got = gilfree.logsumexp(x, axis, b, keepdims, return_sign=sign)
        ref = special.logsumexp(x, axis=axis, b=b, keepdims=keepdims, return_sign=sign)
        got, ref = (got, ref) if sign else ((got,), (ref,))
        for g, r in zip(got, ref, strict=True):
            assert np.shape(g) == np.shape(r) and np.asarray(g).dtype == np.asarray(r).dtype
            np.testing.assert_allclose(g, r, rtol=_tol(dtype), atol=_tol(dtype))


def test_logsumexp_b_broadcasts_and_positional_order():
    rng = np.random.default_rng(11)  # per test: parallel threads share the module
    x = rng.normal(size=(4, 5))
    b = np.abs(rng.normal(size=5))
    np.testing.assert_allclose(gilfree.logsumexp(x, 1, b), special.logsumexp(x, 1, b), rtol=1e-13)
    big_b = np.abs(rng.normal(size=(3, 4, 5)))
    got = gilfree.logsumexp(x, -1, big_b, True)
    ref = special.logsumexp(x, -1, big_b, True)
    assert got.shape == ref.shape == (3, 4, 1)
    np.testing.assert_allclose(got, ref, rtol=1e-13)


@pytest.mark.parametrize(
    "x, b",
    [
        ([1.0, 2.0], [1.0, -1.0]),  # negative sum
        ([1.0, 1.0], [1.0, -1.0]),  # exact zero: -inf, sign 0
        ([1.0, 1.0, 0.0], [1.0, -1.0, 1.0]),  # the largest terms cancel
        ([3.0, 1.0], [0.0, 0.0]),  # all weights zero
        ([np.inf, 1.0], [0.0, 1.0]),  # a zero weight drops an infinite x
        ([np.nan, 1.0], [0.0, 2.0]),  # and a NaN
        ([np.inf, 1.0], [2.0, 1.0]),
        ([np.inf, 1.0], [-2.0, 1.0]),
        ([np.inf, np.inf], [1.0, -1.0]),
        ([np.nan, 1.0], [1.0, 1.0]),
        ([-np.inf, -np.inf], [1.0, 1.0]),
        ([1000.0, 1000.0, 999.0], [1.0, 1.0, -0.5]),
        ([-1000.0, -1001.0], [2.0, -3.0]),
        ([1.0], [np.nan]),
        ([1.0, 5.0], [1e-300, -1e-300]),
    ],
)
def test_logsumexp_b_edge_cases_as_scipy(x, b):
    x, b = np.array(x), np.array(b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ref, rsg = special.logsumexp(x, b=b, return_sign=True)
        ref1 = special.logsumexp(x, b=b)
    got, sg = gilfree.logsumexp(x, b=b, return_sign=True)
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-15)  # (log(e - e + 1): rounding at 0)
    np.testing.assert_array_equal(sg, rsg)
    np.testing.assert_allclose(gilfree.logsumexp(x, b=b), ref1, rtol=1e-13, atol=1e-15)


def test_logsumexp_return_sign_without_b_and_empty():
    x = np.array([[0.0, 1.0], [-np.inf, -np.inf]])
    got = gilfree.logsumexp(x, axis=1, return_sign=True)
    ref = special.logsumexp(x, axis=1, return_sign=True)
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-15)
    np.testing.assert_array_equal(got[1], ref[1])
    for b in (None, np.zeros(0)):
        got = gilfree.logsumexp(np.zeros(0), b=b, return_sign=True)
        ref = special.logsumexp(np.zeros(0), b=b, return_sign=True)
        assert got == ref  # (-inf, -1.0) as SciPy


def test_logsumexp_b_dtypes_promote_as_scipy():
    x32 = np.ones(3, np.float32)
    for b in (np.ones(3, np.float32), np.ones(3, np.float64), np.ones(3, np.int64), np.ones(3, bool)):
        assert gilfree.logsumexp(x32, b=b).dtype == special.logsumexp(x32, b=b).dtype


def test_logsumexp_b_long_rows_same_bits_for_threads():
    rng = np.random.default_rng(11)  # per test: parallel threads share the module
    x = rng.normal(size=(3, 300_000)) * 20
    b = rng.normal(size=(3, 300_000))
    for axis in (None, 1, 0):
        _same_bits(lambda axis=axis: gilfree.logsumexp(x, axis, b, return_sign=True))
    got = gilfree.logsumexp(x, 1, b, return_sign=True)
    ref = special.logsumexp(x, 1, b, return_sign=True)
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-11)
    np.testing.assert_array_equal(got[1], ref[1])


def test_logsumexp_b_errors():
    with pytest.raises(ValueError, match="b: shape"):
        gilfree.logsumexp(np.ones(3), b=np.ones(4))
    with pytest.raises(TypeError, match="b:"):
        gilfree.logsumexp(np.ones(3), b=np.ones(3, complex))
    with pytest.raises(TypeError, match="return_sign"):
        gilfree.logsumexp(np.ones(3), return_sign="yes")


# ------------------------------------------------------------------ norm

ORDS = [None, 1, 2, np.inf, -np.inf, 0, 3, 0.5, -1, -2.5, 1.5]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ord", ORDS)
def test_norm_vector_ords_match_numpy(dtype, ord):
    rng = np.random.default_rng(11)  # per test: parallel threads share the module
    x = (rng.normal(size=(6, 9)) * 4).astype(dtype)
    x[0, 0] = 0
    for axis in (0, 1, -1):
        for keepdims in (False, True):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                ref = np.linalg.norm(x.astype(np.float64), ord, axis, keepdims)
            got = gilfree.norm(x, ord, axis, keepdims)
            want = np.float32 if np.dtype(dtype) == np.float32 else np.float64
            assert got.dtype == want and got.shape == ref.shape
            np.testing.assert_allclose(got, ref, rtol=_tol(dtype))
    v = x[0]  # (with a zero)
    with np.errstate(divide="ignore"):
        ref = np.linalg.norm(v.astype(np.float64), ord)
    np.testing.assert_allclose(gilfree.norm(v, ord), ref, rtol=_tol(dtype))


def test_norm_none_flattens_any_ndim_and_fro():
    rng = np.random.default_rng(11)  # per test: parallel threads share the module
    x = rng.normal(size=(3, 4, 5))
    np.testing.assert_allclose(gilfree.norm(x), np.linalg.norm(x), rtol=1e-13)
    m = x[0]
    np.testing.assert_allclose(gilfree.norm(m, "fro"), np.linalg.norm(m, "fro"), rtol=1e-13)
    assert gilfree.norm(np.float64(-3.0)) == 3.0


@pytest.mark.parametrize("ord", [2, -2, 3, "nuc"])
def test_norm_matrix_norms_from_singular_values_are_a_value_error(ord):
    with pytest.raises(ValueError, match="ord"):
        gilfree.norm(np.ones((3, 3)), ord)
    with pytest.raises(ValueError, match="dimensions"):
        gilfree.norm(np.ones((2, 2, 2)), ord if ord != "nuc" else 1)


def test_norm_edge_values_as_numpy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for v in ([0.0, 0.0], [0.0, 2.0], [np.nan, 1.0], [np.inf, 1.0], [1e200, 1e200], []):
            a = np.array(v)
            for ord in (0, 3, -1, 0.5):
                np.testing.assert_allclose(gilfree.norm(a, ord), np.linalg.norm(a, ord), rtol=1e-13)
    for ord in (np.inf, -np.inf):
        with pytest.raises(ValueError, match="zero-size"):
            gilfree.norm(np.zeros(0), ord)
    np.testing.assert_array_equal(gilfree.norm(np.array([1.0, np.nan]), -np.inf), np.nan)


def test_norm_errors():
    with pytest.raises(TypeError, match="ord"):
        gilfree.norm(np.ones(3), [1])
    with pytest.raises(ValueError, match="ord"):
        gilfree.norm(np.ones(3), np.nan)
    with pytest.raises(ValueError, match="ord"):
        gilfree.norm(np.ones(3), "fro")  # a matrix norm, as NumPy


def test_norm_p_same_bits_for_threads():
    rng = np.random.default_rng(11)  # per test: parallel threads share the module
    x = rng.normal(size=(2, 400_000))
    for ord in (0, 3, -np.inf, 0.5):
        _same_bits(lambda ord=ord: gilfree.norm(x, ord, axis=1))
        _same_bits(lambda ord=ord: gilfree.norm(x.ravel(), ord))


# ------------------------------------------------------------------ histogram


@pytest.mark.parametrize("dtype", DTYPES)
def test_histogram_edge_arrays_count_as_numpy(dtype):
    rng = np.random.default_rng(11)  # per test: parallel threads share the module
    x = (rng.normal(size=5000) * 10).astype(dtype)
    edges = np.array([-30, -5, -5, 0, 0.5, 2, 2, 10, 25])
    x[:5] = edges[:5].astype(dtype)  # values on edges
    x[5] = 25
    for e in (edges, edges.astype(np.float32), np.array([-3, 0, 7]), np.array([-np.inf, 0, np.inf])):
        got, ge = gilfree.histogram(x, e)
        ref, re = np.histogram(x, e)
        np.testing.assert_array_equal(got, ref)
        assert got.dtype == ref.dtype and ge.dtype == re.dtype
        np.testing.assert_array_equal(ge, re)


def test_histogram_nan_and_one_edge_and_empty():
    x = np.array([np.nan, 1.0, 2.0, np.inf])
    np.testing.assert_array_equal(gilfree.histogram(x, [0, 1, 3])[0], np.histogram(x, [0, 1, 3])[0])
    np.testing.assert_array_equal(gilfree.histogram(np.zeros(0), [0, 1, 3])[0], [0, 0])
    assert gilfree.histogram(x, [1.0])[0].shape == (0,)


@pytest.mark.parametrize("wdtype", [np.int32, np.int64, np.float32, np.float64])
@pytest.mark.parametrize("bins", [7, "edges"])
def test_histogram_weights_as_numpy(wdtype, bins):
    rng = np.random.default_rng(12)  # its own generator: the module's is shared by parallel threads
    x = rng.normal(size=(40, 50))
    w = (rng.normal(size=(40, 50)) * 10).astype(wdtype)
    b = np.array([-2, -0.5, 0, 0, 1, 3]) if bins == "edges" else bins
    got, ge = gilfree.histogram(x, b, weights=w)
    ref, re = np.histogram(x, b, weights=w)
    assert got.dtype == ref.dtype
    # a bin's weighted sum can cancel: the error scale is the sum of |w| in the weights' precision
    atol = _tol(wdtype) * float(np.abs(w.astype(np.float64)).sum())
    np.testing.assert_allclose(got, ref, rtol=_tol(wdtype), atol=max(atol, 1e-9))
    np.testing.assert_array_equal(ge, re)


@pytest.mark.parametrize("bins", [5, [0.0, 0.1, 0.5, 2.0]])
def test_histogram_density_as_numpy(bins):
    rng = np.random.default_rng(11)  # per test: parallel threads share the module
    x = np.abs(rng.normal(size=999))
    w = rng.random(999)
    for weights in (None, w):
        got, _ = gilfree.histogram(x, bins, None, True, weights)
        ref, _ = np.histogram(x, bins, None, True, weights)
        assert got.dtype == ref.dtype == np.float64
        np.testing.assert_allclose(got, ref, rtol=1e-13)
    got, _ = gilfree.histogram(x, 4, (0, 2), True)  # counts: NumPy's expression, the same bits
    assert got.tobytes() == np.histogram(x, 4, (0, 2), True)[0].tobytes()


def test_histogram_weighted_same_bits_for_threads():
    rng = np.random.default_rng(11)  # per test: parallel threads share the module
    x = rng.normal(size=600_000)
    w = rng.normal(size=600_000)
    _same_bits(lambda: gilfree.histogram(x, 50, weights=w))
    _same_bits(lambda: gilfree.histogram(x, np.linspace(-3, 3, 20) ** 3, weights=w[::-1]))
    _same_bits(lambda: gilfree.histogram(x, np.linspace(-3, 3, 20) ** 3))


def test_histogram_errors():
    with pytest.raises(ValueError, match="bins: must increase"):
        gilfree.histogram(np.ones(3), [0, 2, 1])
    with pytest.raises(ValueError, match="bins: must be 1d"):
        gilfree.histogram(np.ones(3), [[0, 1]])
    with pytest.raises(ValueError, match="bins: edges must not be NaN"):
        gilfree.histogram(np.ones(3), [0, np.nan])
    with pytest.raises(TypeError, match="bins"):
        gilfree.histogram(np.ones(3), "auto")
    with pytest.raises(TypeError, match="bins"):
        gilfree.histogram(np.ones(3), ["a", "b"])
    with pytest.raises(ValueError, match="weights: should have the same shape"):
        gilfree.histogram(np.ones(3), 2, weights=np.ones(4))
    with pytest.raises(TypeError, match="weights"):
        gilfree.histogram(np.ones(3), 2, weights=np.ones(3, complex))
    with pytest.raises(TypeError, match="density"):
        gilfree.histogram(np.ones(3), 2, density="yes")


# ------------------------------------------------------------------ clip


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint64, np.float16, np.float32, np.float64])
def test_clip_array_bounds_as_numpy(dtype):
    rng = np.random.default_rng(11)  # per test: parallel threads share the module
    x = (rng.normal(size=(5, 6)) * 50).astype(np.float64)
    if np.dtype(dtype).kind == "u":
        x = np.abs(x)
    x = x.astype(dtype)
    lo = (rng.normal(size=6) * 20).astype(dtype if np.dtype(dtype).kind != "u" else np.int64)
    lo = np.abs(lo).astype(dtype) if np.dtype(dtype).kind == "u" else lo
    hi = (lo.astype(np.float64) + 30).astype(dtype)[None, :].repeat(5, 0)
    hi[0] = lo // 2  # lo > hi: hi
    for args in ((lo, hi), (lo, None), (None, hi), (lo, 10), (3, hi)):
        got = gilfree.clip(x, *args)
        ref = np.clip(x, *args)
        assert got.dtype == ref.dtype and got.shape == ref.shape
        np.testing.assert_array_equal(got, ref)


def test_clip_array_bounds_broadcast_nan_and_promotion():
    x = np.array([[1.0, np.nan, 3.0, -4.0]], np.float32)
    lo = np.array([[0.0], [np.nan]])  # float64 bound: a float64 result of shape (2, 4)
    got, ref = gilfree.clip(x, lo, np.float32(2.0)), np.clip(x, lo, np.float32(2.0))
    assert got.dtype == ref.dtype and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)
    xi = np.arange(6, dtype=np.int32)
    for lo in ([1, 2, 3, 4, 5, 6], np.array(2, np.int64), np.full(6, 2.5)):
        got, ref = gilfree.clip(xi, lo, 4), np.clip(xi, lo, 4)
        assert got.dtype == ref.dtype
        np.testing.assert_array_equal(got, ref)


def test_clip_array_bounds_out():
    x = np.arange(10.0)
    lo = np.full(10, 3.0)
    out = np.empty(10)
    assert gilfree.clip(x, lo, 6, out=out) is out
    np.testing.assert_array_equal(out, np.clip(x, lo, 6))
    gilfree.clip(x, lo, 5, out=x)
    np.testing.assert_array_equal(x, np.clip(np.arange(10.0), lo, 5))
    with pytest.raises(ValueError, match="out: expected shape"):
        gilfree.clip(np.ones(3), np.ones((2, 3)), 1, out=np.empty(3))
    with pytest.raises(ValueError, match="out: overlaps lo"):
        gilfree.clip(np.ones(4), lo[:4], None, out=lo[1:5])


def test_clip_array_bounds_errors():
    with pytest.raises(ValueError, match="hi: shape"):
        gilfree.clip(np.ones(3), 0, np.ones(4))
    with pytest.raises(TypeError, match="lo"):
        gilfree.clip(np.ones(3), np.ones(3, complex), 1)
    with pytest.raises(TypeError, match="lo"):
        gilfree.clip(np.ones(3), ["a", "b", "c"], 1)


def test_clip_array_bounds_same_bits_for_threads():
    rng = np.random.default_rng(11)  # per test: parallel threads share the module
    x = rng.normal(size=(300, 1000))
    lo = rng.normal(size=1000) - 1
    hi = rng.normal(size=(300, 1)) + 1
    _same_bits(lambda: gilfree.clip(x, lo, hi))
    _same_bits(lambda: gilfree.clip(x.T, lo[:, None], None))
