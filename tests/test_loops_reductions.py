"""gilfree.loops reductions against NumPy / SciPy: every dtype, axis, view,
keepdims; empty and 0-d inputs; NaN / inf; integer overflow; accuracy."""

import math

import gilfree
import numpy as np
import pytest
from scipy.special import logsumexp as sp_logsumexp

DTYPES = [np.int32, np.int64, np.float32, np.float64]
AXES = [None, 0, 1, 2, -1]


def make(dtype, layout, rng, shape=(6, 7, 8)):
    """An array of dtype in one of several memory layouts (all views)."""
    if np.dtype(dtype).kind == "i":
        base = rng.integers(-1000, 1000, size=(12, 14, 16)).astype(dtype)
    else:
        base = rng.standard_normal((12, 14, 16)).astype(dtype)
    if layout == "c":
        return np.ascontiguousarray(base[: shape[0], : shape[1], : shape[2]])
    if layout == "transposed":
        return base[: shape[2], : shape[1], : shape[0]].transpose(2, 1, 0)
    if layout == "sliced":
        return base[::2, 1 : 1 + shape[1], ::-2]
    raise AssertionError(layout)


def float_dtype(dt):
    return np.float32 if np.dtype(dt) == np.float32 else np.float64


def ref_sum(x, axis, keepdims):
    if x.dtype.kind == "i":
        return np.sum(x, axis=axis, keepdims=keepdims)
    return np.sum(x.astype(np.float64), axis=axis, keepdims=keepdims).astype(x.dtype)


# name -> (gilfree function, reference, expected dtype of the result)
REFERENCES = {
    "sum": (gilfree.sum, ref_sum, lambda dt: np.int64 if np.dtype(dt).kind == "i" else dt),
    "mean": (gilfree.mean, lambda x, a, k: np.mean(x.astype(np.float64), axis=a, keepdims=k), float_dtype),
    "var": (gilfree.var, lambda x, a, k: np.var(x.astype(np.float64), axis=a, keepdims=k), float_dtype),
    "std": (
        gilfree.std,
        lambda x, a, k: np.std(x.astype(np.float64), axis=a, ddof=1, keepdims=k),
        float_dtype,
    ),
    "min": (gilfree.min, lambda x, a, k: np.min(x, axis=a, keepdims=k), lambda dt: dt),
    "max": (gilfree.max, lambda x, a, k: np.max(x, axis=a, keepdims=k), lambda dt: dt),
    "argmin": (gilfree.argmin, lambda x, a, k: np.argmin(x, axis=a, keepdims=k), lambda dt: np.int64),
    "argmax": (gilfree.argmax, lambda x, a, k: np.argmax(x, axis=a, keepdims=k), lambda dt: np.int64),
    "logsumexp": (
        gilfree.logsumexp,
        lambda x, a, k: sp_logsumexp(x.astype(np.float64), axis=a, keepdims=k),
        float_dtype,
    ),
    "norm1": (
        lambda x, axis, keepdims: gilfree.norm(x, 1, axis=axis, keepdims=keepdims),
        lambda x, a, k: np.linalg.norm(
            x.astype(np.float64).ravel() if a is None else x.astype(np.float64),
            1,
            axis=a,
            keepdims=k and a is not None,
        ),
        float_dtype,
    ),
    "norm2": (
        lambda x, axis, keepdims: gilfree.norm(x, 2, axis=axis, keepdims=keepdims),
        lambda x, a, k: np.linalg.norm(
            x.astype(np.float64).ravel() if a is None else x.astype(np.float64),
            2,
            axis=a,
            keepdims=k and a is not None,
        ),
        float_dtype,
    ),
    "norminf": (
        lambda x, axis, keepdims: gilfree.norm(x, np.inf, axis=axis, keepdims=keepdims),
        lambda x, a, k: np.max(np.abs(x.astype(np.float64)), axis=a, keepdims=k),
        float_dtype,
    ),
}


def call(name, x, axis, keepdims):
    fn = REFERENCES[name][0]
    if name == "std":
        return fn(x, axis=axis, ddof=1, keepdims=keepdims)
    return fn(x, axis=axis, keepdims=keepdims)


def check(got, want, dtype):
    assert np.asarray(got).dtype == np.dtype(dtype)
    want = np.asarray(want)
    if np.dtype(dtype).kind == "i":
        assert np.array_equal(got, want)
    else:
        rtol = 2e-6 if np.dtype(dtype) == np.float32 else 1e-11
        np.testing.assert_allclose(
            np.asarray(got, dtype=np.float64), want.astype(np.float64), rtol=rtol, atol=rtol
        )


@pytest.mark.parametrize("name", list(REFERENCES))
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["c", "transposed", "sliced"])
@pytest.mark.parametrize("axis", AXES)
def test_matches_reference(name, dtype, layout, axis, rng):
    x = make(dtype, layout, rng)
    _, ref, rdt = REFERENCES[name]
    if name.startswith("norm") and axis is None:
        # an ord with axis=None is NumPy's matrix norm (2-d) or an error (3-d, as here): both raise
        with pytest.raises(ValueError):
            np.linalg.norm(x, {"norm1": 1, "norm2": 2, "norminf": np.inf}[name])
        with pytest.raises(ValueError, match="ord"):
            call(name, x, axis, False)
        if name != "norm2":
            return
        for keepdims in (False, True):  # ord=None: the flattened 2-norm, of any layout
            got = gilfree.norm(x, None, axis=None, keepdims=keepdims)
            want = np.linalg.norm(x.astype(np.float64), None, keepdims=keepdims)
            assert np.shape(got) == np.shape(want)
            check(got, want, rdt(dtype))
        return
    for keepdims in (False, True):
        got = call(name, x, axis, keepdims)
        want = ref(x, axis, keepdims)
        if keepdims and name.startswith("norm") and axis is None:
            want = np.reshape(want, (1,) * x.ndim)
        assert np.shape(got) == np.shape(want)
        check(got, want, rdt(dtype))
    if axis is None:
        assert np.ndim(call(name, x, None, False)) == 0


@pytest.mark.parametrize("name", list(REFERENCES))
@pytest.mark.parametrize(
    "shape,axis", [((3, 70_000), 1), ((70_000, 3), 0), ((200_001,), None), ((40, 5000), 0), ((5000, 40), -1)]
)
def test_long_and_short_rows(name, shape, axis, rng):
    """Rows longer than a chunk (split in parts) and many short rows."""
    x = rng.standard_normal(shape)
    _, ref, rdt = REFERENCES[name]
    check(call(name, x, axis, False), ref(x, axis, False), rdt(np.float64))


@pytest.mark.parametrize("dtype", DTYPES)
def test_dot_and_sqdist(dtype, rng):
    a, b = make(dtype, "sliced", rng), make(dtype, "transposed", rng)
    a1, b1 = a.ravel()[:50], b.ravel()[:50]
    check(gilfree.dot(a1, b1[::-1]), np.dot(a1, b1[::-1].copy()), dtype)
    for axis in AXES:
        want = np.sum((a.astype(np.float64) - b.astype(np.float64)) ** 2, axis=axis)
        check(gilfree.sqdist(a, b, axis=axis), want, float_dtype(dtype))
    got = gilfree.sqdist(a, b[0, 0], axis=1, keepdims=True)  # broadcasting
    want = np.sum((a.astype(np.float64) - b[0, 0].astype(np.float64)) ** 2, axis=1, keepdims=True)
    check(got, want, float_dtype(dtype))


def test_dot_mixed_dtypes_and_long(rng):
    a = rng.integers(-5, 5, 100).astype(np.int32)
    b = rng.standard_normal(100).astype(np.float32)
    check(gilfree.dot(a, b), np.dot(a.astype(np.float64), b.astype(np.float64)), np.float64)
    x, y = rng.standard_normal(300_000), rng.standard_normal(300_000)
    check(gilfree.dot(x, y), np.dot(x, y), np.float64)


# ----------------------------------------------------------------- special values


def test_nan_propagation():
    x = np.array([[1.0, np.nan, 3.0, np.nan], [4.0, -1.0, 2.0, 0.0]])
    assert math.isnan(gilfree.min(x)) and math.isnan(gilfree.max(x))
    assert gilfree.argmin(x) == np.argmin(x) == 1
    assert gilfree.argmax(x) == np.argmax(x) == 1
    np.testing.assert_array_equal(gilfree.max(x, axis=1), np.max(x, axis=1))
    np.testing.assert_array_equal(gilfree.argmax(x, axis=1), np.argmax(x, axis=1))
    np.testing.assert_array_equal(gilfree.argmin(x, axis=0), np.argmin(x, axis=0))
    for f in (gilfree.sum, gilfree.mean, gilfree.var, gilfree.logsumexp, gilfree.norm):
        assert math.isnan(f(x))
    assert math.isnan(gilfree.norm(x.ravel(), np.inf)) and math.isnan(gilfree.norm(x, np.inf, axis=1)[0])
    # a NaN late in a long array, after the extreme
    y = np.zeros(300_000)
    y[10] = 5.0
    y[250_000] = np.nan
    assert gilfree.argmax(y) == np.argmax(y) == 250_000
    assert math.isnan(gilfree.max(y))


def test_ties_return_first_index(rng):
    x = rng.integers(0, 3, size=200_000).astype(np.int64)
    assert gilfree.argmax(x) == np.argmax(x)
    assert gilfree.argmin(x) == np.argmin(x)
    m = x.reshape(400, 500)
    np.testing.assert_array_equal(gilfree.argmax(m, axis=0), np.argmax(m, axis=0))


def test_infinities():
    x = np.array([1.0, np.inf, -np.inf])
    assert math.isnan(gilfree.sum(x))
    assert gilfree.max(x) == np.inf and gilfree.min(x) == -np.inf
    assert gilfree.argmin(x) == 2
    assert gilfree.logsumexp(x) == np.inf == sp_logsumexp(x)
    assert gilfree.logsumexp(np.array([-np.inf, -np.inf])) == -np.inf
    assert gilfree.norm(x) == np.inf and gilfree.norm(x, 1) == np.inf
    assert math.isnan(gilfree.var(x))


def test_logsumexp_extremes():
    for x in ([1000.0, 1000.0], [-1000.0, -1000.0, -1001.0], [1e308, 1e308], [0.0, -1e300]):
        a = np.array(x)
        np.testing.assert_allclose(gilfree.logsumexp(a), sp_logsumexp(a), rtol=1e-15)
    assert gilfree.logsumexp(np.array([], dtype=np.float64)) == -np.inf


def test_norm_no_overflow_or_underflow():
    for scale in (1e200, 1e-200, 1e300, 5e-324):
        x = np.array([3.0, 4.0]) * scale
        # (np.linalg.norm underflows to 0 for the subnormal case)
        np.testing.assert_allclose(gilfree.norm(x), 5.0 * scale, rtol=1e-15)
    big = np.full(100_000, 1e300)
    np.testing.assert_allclose(gilfree.norm(big), 1e300 * math.sqrt(1e5), rtol=1e-13)
    f32 = np.full(10, 3e38, dtype=np.float32)
    with np.errstate(over="ignore"):
        assert np.isinf(np.linalg.norm(f32))  # NumPy overflows in float32 ...
    np.testing.assert_allclose(float(gilfree.norm(f32.astype(np.float64))), 3e38 * math.sqrt(10))
    assert gilfree.norm(np.zeros(5)) == 0.0


# ----------------------------------------------------------------- empty and 0-d


def test_empty_inputs():
    e = np.zeros((0, 3))
    assert gilfree.sum(np.array([], dtype=np.int32)) == 0
    assert gilfree.sum(np.array([], dtype=np.int32)).dtype == np.int64
    assert math.isnan(gilfree.mean(np.array([])))
    assert math.isnan(gilfree.var(np.array([])))
    assert gilfree.norm(np.array([])) == 0.0
    np.testing.assert_array_equal(gilfree.sum(e, axis=0), np.zeros(3))
    assert gilfree.min(e, axis=1).shape == (0,)
    assert gilfree.argmax(e, axis=1).shape == (0,)
    for f in (gilfree.min, gilfree.max, gilfree.argmin, gilfree.argmax):
        with pytest.raises(ValueError, match="x: zero-size"):
            f(np.array([]))
        with pytest.raises(ValueError, match="x: zero-size"):
            f(e, axis=0)


def test_zero_d_inputs():
    s = np.array(3.5)
    assert gilfree.sum(s) == 3.5 and gilfree.min(s) == 3.5 and gilfree.argmax(s) == 0
    assert gilfree.mean(np.array(2, dtype=np.int32)) == 2.0
    assert gilfree.var(s) == 0.0 and gilfree.logsumexp(s) == 3.5
    assert gilfree.sum(s, keepdims=True).shape == ()
    assert gilfree.norm(np.array(-2.0)) == 2.0
    assert gilfree.sum(s, axis=0) == np.sum(s, axis=0) == 3.5  # NumPy takes axis 0 / -1 of a 0-d array
    with pytest.raises(np.exceptions.AxisError):
        gilfree.sum(s, axis=1)
    assert gilfree.argmax(s, axis=-1) == np.argmax(s, axis=-1) == 0
    with pytest.raises(np.exceptions.AxisError):
        gilfree.argmax(s, axis=1)


def test_ddof_edge_cases():
    x = np.array([1.0, 2.0, 4.0])
    np.testing.assert_allclose(gilfree.var(x, ddof=2), np.var(x, ddof=2))
    np.testing.assert_allclose(gilfree.std(x, ddof=1.5), np.std(x, ddof=1.5))
    assert gilfree.var(x, ddof=3) == np.inf
    assert math.isnan(gilfree.var(np.array([1.0]), ddof=1))


# ----------------------------------------------------------------- integers


def test_integer_overflow_like_numpy():
    big = np.array([2**62, 2**62, 2**62, -5], dtype=np.int64)
    assert gilfree.sum(big) == np.sum(big)  # wraps
    i32 = np.full(1000, 2**31 - 1, dtype=np.int32)
    assert gilfree.sum(i32) == np.sum(i32) == 1000 * (2**31 - 1)  # int64 accumulator
    a = np.full(3, 2**30, dtype=np.int32)
    b = np.full(3, 4, dtype=np.int32)
    got = gilfree.dot(a, b)
    assert got.dtype == np.int32 and got == np.dot(a, b)
    c = np.full(5, 2**62, dtype=np.int64)
    assert gilfree.dot(c, np.full(5, 3, dtype=np.int64)) == np.dot(c, np.full(5, 3, dtype=np.int64))
    ext = np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max, 0], dtype=np.int64)
    assert gilfree.min(ext) == ext[0] and gilfree.max(ext) == ext[1]
    assert gilfree.argmin(ext) == 0 and gilfree.argmax(ext) == 1
    np.testing.assert_allclose(gilfree.mean(ext), np.mean(ext))


# ----------------------------------------------------------------- accuracy


def test_var_large_offset_at_least_as_accurate_as_numpy(rng):
    noise = rng.standard_normal(1_000_000)
    x = 1e9 + noise
    exact = np.var(x - 1e9)  # x - 1e9 is exact here: the reference is the small data's variance
    err_g = abs(float(gilfree.var(x)) - exact)
    err_np = abs(float(np.var(x)) - exact)
    assert err_g <= max(err_np, 4e-16 * exact)
    for axis in (0, 1):
        m = x.reshape(1000, 1000)
        ref = np.var(m - 1e9, axis=axis)
        np.testing.assert_allclose(gilfree.var(m, axis=axis), ref, rtol=1e-9)
    f32 = (1e4 + rng.standard_normal(100_000)).astype(np.float32)
    exact32 = np.var(f32.astype(np.float64) - 1e4)
    assert abs(float(gilfree.var(f32)) - exact32) <= abs(float(np.var(f32)) - exact32) + 1e-6 * exact32


def _var_fsum(v):
    """Variance by two passes of math.fsum (correctly rounded sums)."""
    mean = math.fsum(v) / len(v)
    return math.fsum((e - mean) ** 2 for e in v) / len(v)


@pytest.mark.parametrize("lead", [16, 7, 300])
def test_var_block_pivot_far_from_mean(rng, lead):
    # Blocks (1024 elements) whose first values, a one-pass pivot, lie far
    # from the block's mean: sums about that pivot cancel (an emulation in
    # NumPy loses 4e-15 to 1.6e-14 relative for lead 16); the kernel must
    # keep the accuracy of two passes (rows and columns: the row path and the
    # column-tile path). lead 300: a pivot near the mean, the control.
    block = np.concatenate([np.full(lead, 1e6), rng.standard_normal(1024 - lead)])
    x = np.tile(block, 5)
    exact = _var_fsum(x.tolist())
    assert abs(float(gilfree.var(x)) - exact) <= 2e-15 * exact
    m = np.ascontiguousarray(np.stack([x, x[::-1], 2.0 * x], axis=1))  # columns: the tile path
    ref = [_var_fsum(m[:, j].tolist()) for j in range(3)]
    np.testing.assert_allclose(gilfree.var(m, axis=0), ref, rtol=2e-15)
    np.testing.assert_allclose(gilfree.std(x, ddof=1), math.sqrt(exact * len(x) / (len(x) - 1)), rtol=2e-15)


def test_sum_accuracy(rng):
    # catastrophic cancellation: big terms cancel, small ones remain
    x = np.concatenate([rng.standard_normal(100_000) * 1e10, rng.standard_normal(100_000)])
    x = np.concatenate([x, -x[:100_000]])
    rng.shuffle(x)
    exact = math.fsum(x)
    assert abs(float(gilfree.sum(x)) - exact) <= 1e-15 * float(np.sum(np.abs(x))) * 20
    # float32 accumulates in float64: far better than NumPy's float32 pairwise sum
    f = rng.random(1_000_000).astype(np.float32)
    exact32 = math.fsum(f.astype(np.float64))
    assert abs(float(gilfree.sum(f)) - exact32) <= abs(float(np.sum(f)) - exact32) + 1e-3
    np.testing.assert_allclose(gilfree.mean(f), np.mean(f.astype(np.float64)), rtol=1e-7)
    # a constant large offset: the mean is exact
    assert gilfree.mean(np.full(10_001, 1e9 + 0.5)) == 1e9 + 0.5
