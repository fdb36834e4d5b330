"""gilfree.loops functions with array results (cumsum, softmax, axpy, clip,
histogram) against NumPy / SciPy, including out= buffers."""

import gilfree
import numpy as np
import pytest
from scipy.special import softmax as sp_softmax
from test_loops_reductions import DTYPES, make

AXES = [None, 0, 1, 2, -1]
LAYOUTS = ["c", "transposed", "sliced"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("axis", AXES)
def test_cumsum(dtype, layout, axis, rng):
    x = make(dtype, layout, rng)
    got = gilfree.cumsum(x, axis=axis)
    if np.dtype(dtype).kind == "i":
        want = np.cumsum(x, axis=axis)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, want)
    else:
        want = np.cumsum(x.astype(np.float64), axis=axis)
        assert got.dtype == dtype
        rtol = 1e-5 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * 100)
    assert got.shape == want.shape


@pytest.mark.parametrize(
    "shape,axis", [((200_001,), None), ((2, 70_000), 1), ((70_000, 2), 0), ((300, 400), None)]
)
def test_cumsum_long_rows(shape, axis, rng):
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(gilfree.cumsum(x, axis=axis), np.cumsum(x, axis=axis), rtol=1e-10, atol=1e-10)
    i = rng.integers(-100, 100, size=shape).astype(np.int32)
    np.testing.assert_array_equal(gilfree.cumsum(i, axis=axis), np.cumsum(i, axis=axis))


def test_cumsum_edge_cases():
    big = np.array([2**62, 2**62, 2**62], dtype=np.int64)
    np.testing.assert_array_equal(gilfree.cumsum(big), np.cumsum(big))  # wraps
    assert gilfree.cumsum(np.array(2.5)).tolist() == [2.5]
    assert gilfree.cumsum(np.zeros((0, 3)), axis=0).shape == (0, 3)
    assert gilfree.cumsum(np.array([], dtype=np.int32)).dtype == np.int64
    r = gilfree.cumsum(np.array([1.0, np.nan, 1.0, np.inf]))
    np.testing.assert_array_equal(r, [1.0, np.nan, np.nan, np.nan])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("axis", AXES)
def test_softmax(dtype, layout, axis, rng):
    x = make(dtype, layout, rng)
    got = gilfree.softmax(x, axis=axis)
    want = sp_softmax(x.astype(np.float64), axis=axis)
    assert got.dtype == (np.float32 if dtype == np.float32 else np.float64)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-300)


def test_softmax_special(rng):
    x = np.array([[1000.0, 1000.0], [-1000.0, -1001.0], [np.inf, 0.0], [-np.inf, -np.inf], [np.nan, 1.0]])
    with np.errstate(invalid="ignore"):
        want = sp_softmax(x, axis=1)
    np.testing.assert_allclose(gilfree.softmax(x, axis=1), want, rtol=1e-15)
    long = rng.standard_normal((2, 70_000)) * 50
    np.testing.assert_allclose(gilfree.softmax(long), sp_softmax(long, axis=-1), rtol=1e-11, atol=1e-300)
    np.testing.assert_allclose(
        gilfree.softmax(long, axis=None), sp_softmax(long, axis=None), rtol=1e-11, atol=1e-300
    )
    assert gilfree.softmax(np.zeros((0, 4))).shape == (0, 4)
    assert gilfree.softmax(np.array([1, 1], dtype=np.int32)).tolist() == [0.5, 0.5]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
def test_axpy(dtype, rng):
    x = make(dtype, "sliced", rng)
    y = make(dtype, "transposed", rng)
    got = gilfree.axpy(1.5, x, y)
    want = 1.5 * x.astype(np.float64) + y.astype(np.float64)
    assert got.dtype == (np.float32 if dtype == np.float32 else np.float64)
    # (the float64 kernel may contract alpha * x + y into one FMA: 1 ulp apart from NumPy)
    np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == np.float32 else 1e-14, atol=1e-15)
    # broadcasting, and in place
    yy = y.astype(got.dtype)
    res = gilfree.axpy(-2.0, x[0, 0].astype(got.dtype), yy, out=yy)
    assert res is yy
    np.testing.assert_allclose(
        yy,
        -2.0 * x[0, 0].astype(np.float64) + y.astype(np.float64),
        rtol=1e-6 if dtype == np.float32 else 1e-14,
        atol=1e-15,
    )


def test_axpy_mixed_and_large(rng):
    x32 = rng.standard_normal(10).astype(np.float32)
    y64 = rng.standard_normal(10)
    assert gilfree.axpy(2, x32, y64).dtype == np.float64
    a, b = rng.standard_normal(300_000), rng.standard_normal(300_000)
    out = np.empty_like(a)
    gilfree.axpy(0.5, a[::-1], b, out=out)
    np.testing.assert_allclose(out, 0.5 * a[::-1] + b, rtol=1e-14, atol=1e-15)
    assert gilfree.axpy(1.0, np.zeros(0), np.zeros(0)).shape == (0,)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("bounds", [(-100, 200), (None, 0), (0, None), (50, -50)])
def test_clip(dtype, layout, bounds, rng):
    x = make(dtype, layout, rng)
    got = gilfree.clip(x, *bounds)
    want = np.clip(x, *bounds)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_clip_special(rng):
    x = np.array([np.nan, -np.inf, 0.5, np.inf, 3.0])
    np.testing.assert_array_equal(gilfree.clip(x, 0.0, 1.0), np.clip(x, 0.0, 1.0))
    np.testing.assert_array_equal(gilfree.clip(x, np.nan, 1.0), np.clip(x, np.nan, 1.0))
    i = np.arange(-5, 5, dtype=np.int32)
    got = gilfree.clip(i, -1.5, 2)  # a float bound promotes to float64, as in NumPy
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.clip(i, -1.5, 2))
    np.testing.assert_array_equal(gilfree.clip(i, -(2**40), 2**40), i)
    big = rng.standard_normal(300_000)
    inplace = big.copy()
    assert gilfree.clip(inplace, -0.5, 0.5, out=inplace) is inplace
    np.testing.assert_array_equal(inplace, np.clip(big, -0.5, 0.5))
    f32 = rng.standard_normal(50).astype(np.float32)
    np.testing.assert_array_equal(gilfree.clip(f32, -0.1, 0.1), np.clip(f32, -0.1, 0.1))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bins", [1, 3, 10, 64])
@pytest.mark.parametrize("rng_range", [None, (-300.0, 250.5), (0, 0)])
def test_histogram(dtype, bins, rng_range, rng):
    x = make(dtype, "sliced", rng)
    counts, edges = gilfree.histogram(x, bins=bins, range=rng_range)
    wc, we = np.histogram(x, bins=bins, range=rng_range)
    assert counts.dtype == wc.dtype and edges.dtype == we.dtype
    np.testing.assert_array_equal(counts, wc)
    np.testing.assert_array_equal(edges, we)


def test_histogram_edges_and_special(rng):
    # values exactly on the edges, and the closed last bin
    x = np.arange(0, 11, dtype=np.float64)
    for bins in (10, 7, 3):
        np.testing.assert_array_equal(gilfree.histogram(x, bins)[0], np.histogram(x, bins)[0])
    y = np.linspace(0, 1, 1001)
    for bins in (7, 13, 1000):
        np.testing.assert_array_equal(gilfree.histogram(y, bins)[0], np.histogram(y, bins)[0])
    # NaN and inf are dropped when a range is given
    z = np.array([np.nan, 0.5, np.inf, -np.inf, 0.25])
    with np.errstate(invalid="ignore"):
        want = np.histogram(z, 4, range=(0, 1))[0]
    np.testing.assert_array_equal(gilfree.histogram(z, 4, range=(0, 1))[0], want)
    # large input: parallel chunks
    big = rng.standard_normal(500_000)
    np.testing.assert_array_equal(gilfree.histogram(big, 100)[0], np.histogram(big, 100)[0])
    c, e = gilfree.histogram(np.array([], dtype=np.int64), 4)
    wc, we = np.histogram(np.array([], dtype=np.int64), 4)
    np.testing.assert_array_equal(c, wc)
    np.testing.assert_array_equal(e, we)
    with pytest.raises(ValueError, match="x: autodetected range"):
        gilfree.histogram(np.array([1.0, np.nan]))
