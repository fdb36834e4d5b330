"""Paths of gilfree.loops added for speed, against NumPy: sum / mean / min / max
over axis 0 read as whole column groups row by row (the same bits as the row
path: a Fortran-ordered copy, and as any thread count), logsumexp of short
rows in batches (one exp over many rows), arg* over 32 KiB sub-blocks with
masked head / tail loads, and the one-pass norm whose blocks fall back to the
scaled pass only at the edges of the double range."""

import math

import gilfree
import numpy as np
import pytest

DTYPES = [np.int32, np.int64, np.float32, np.float64]


def data(dtype, shape, rng):
    if np.dtype(dtype).kind == "i":
        return rng.integers(-50, 50, size=shape).astype(dtype)  # many ties
    return rng.standard_normal(shape).astype(dtype)


# widths around the column group (up to 4096 wide) and the vector widths (8 / 16)
WIDE_SHAPES = [(3, 1024), (1030, 1032), (2, 1100), (1500, 2056), (5, 8), (40, 3000), (2, 4097), (1100, 4100)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", WIDE_SHAPES)
def test_axis0_column_groups(dtype, shape, rng):
    x = data(dtype, shape, rng)
    for name in ("min", "max", "argmin", "argmax"):
        got = getattr(gilfree, name)(x, axis=0)
        np.testing.assert_array_equal(got, getattr(np, name)(x, axis=0), err_msg=name)
        row_path = getattr(gilfree, name)(np.asfortranarray(x), axis=0)
        assert got.tobytes() == np.ascontiguousarray(row_path).tobytes(), name


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", WIDE_SHAPES)
def test_axis0_column_group_sums(dtype, shape, rng):
    x = data(dtype, shape, rng)
    for name in ("sum", "mean"):
        got = getattr(gilfree, name)(x, axis=0)
        want = getattr(np, name)(x.astype(np.float64) if x.dtype.kind == "f" else x, axis=0)
        rtol = 1e-6 if got.dtype == np.float32 else 1e-12  # float32 results: accumulated in double, then rounded
        np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-9, err_msg=name)
        row_path = getattr(gilfree, name)(np.asfortranarray(x), axis=0)
        assert got.tobytes() == np.ascontiguousarray(row_path).tobytes(), name


def test_axis0_column_group_sums_long_columns_and_batches(rng):
    # columns longer than a chunk (parts combined as the row path does), and a
    # batch of matrices (axis=1 of a 3-d array), on 1 and 2 threads
    cases = [(rng.standard_normal((70000, 9)), 0), (rng.standard_normal((3, 2100, 40)), 1)]
    for x, axis in cases:
        for name in ("sum", "mean"):
            row_path = getattr(gilfree, name)(np.asfortranarray(x), axis=axis)
            np.testing.assert_allclose(row_path, getattr(np, name)(x, axis=axis), rtol=1e-12, atol=1e-9)
            for k in (1, 2):
                with gilfree.threads(k):
                    got = getattr(gilfree, name)(x, axis=axis)
                assert got.tobytes() == np.ascontiguousarray(row_path).tobytes(), (name, k, x.shape)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axis0_column_groups_nan_inf(dtype, rng):
    x = rng.standard_normal((2100, 1100)).astype(dtype)
    cells = [(0, 0), (5, 3), (1024, 1023), (2099, 1024), (17, 1099), (2047, 1031), (1, 1040)]
    for r, c in cells:
        x[r, c] = np.nan
    x[2000, 3] = np.nan
    x[7, 500] = np.inf
    x[9, 501] = -np.inf
    x[10, 500] = np.nan  # NaN after an inf in the same column
    for name in ("min", "max"):
        got = getattr(gilfree, name)(x, axis=0)
        np.testing.assert_array_equal(got, getattr(np, name)(x, axis=0), err_msg=name)
    for name in ("argmin", "argmax"):
        np.testing.assert_array_equal(getattr(gilfree, name)(x, axis=0), getattr(np, name)(x, axis=0))


def test_axis0_column_groups_integer_limits(rng):
    for dtype in (np.int32, np.int64):
        info = np.iinfo(dtype)
        x = rng.integers(-5, 5, size=(300, 1100)).astype(dtype)
        x[17, 3], x[299, 1099], x[0, 1030] = info.max, info.min, info.max
        for name in ("min", "max"):
            np.testing.assert_array_equal(getattr(gilfree, name)(x, axis=0), getattr(np, name)(x, axis=0))


def test_axis0_column_groups_threads(rng):
    x = rng.standard_normal((3000, 2500))
    x[1234, 2049] = np.nan
    for name in ("min", "max"):
        with gilfree.threads(1):
            one = getattr(gilfree, name)(x, axis=0)
        with gilfree.threads(2):
            two = getattr(gilfree, name)(x, axis=0)
        assert one.tobytes() == two.tobytes(), name


# lengths around the vector unroll, the 32 KiB sub-block and the chunk
ARG_LENGTHS = [
    128,
    129,
    255,
    256,
    257,
    511,
    513,
    4095,
    4097,
    8191,
    8192,
    8193,
    16383,
    16384,
    16385,
    32767,
    32768,
    32769,
    65537,
    100_003,
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", ARG_LENGTHS)
def test_arg_lengths(dtype, n, rng):
    base = data(dtype, n + 3, rng)
    for start in (0, 1, 3):
        x = base[start : start + n]
        for name in ("min", "max", "argmin", "argmax"):
            assert getattr(gilfree, name)(x) == getattr(np, name)(x), (name, n, start)


@pytest.mark.parametrize("dtype", DTYPES)
def test_arg_extreme_at_sub_block_edges(dtype, rng):
    n = 200_000
    hi = 1000 if np.dtype(dtype).kind == "i" else 1e3
    for p in (0, 4095, 4096, 8191, 8192, 16384, 32767, 32768, 32769, 65535, 131072, n - 1):
        x = data(dtype, n, rng)
        x[p] = hi
        x[min(p + 5, n - 1)] = hi  # a later tie
        x[n - 1 - p // 3] = -hi
        for name in ("argmin", "argmax", "min", "max"):
            assert getattr(gilfree, name)(x) == getattr(np, name)(x), (name, p)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_arg_nan_at_sub_block_edges(dtype, rng):
    n = 140_001
    for p in (4095, 4096, 8191, 8192, 16384, 32767, 32768, 65536, 98304, n - 1):
        x = rng.standard_normal(n).astype(dtype)
        x[p] = np.nan
        x[min(p + 40_000, n - 1)] = np.nan
        for name in ("argmin", "argmax"):
            assert getattr(gilfree, name)(x) == getattr(np, name)(x) == p, (name, p)


@pytest.mark.parametrize("dtype", DTYPES)
def test_arg_every_block_improves(dtype):
    x = np.arange(300_001).astype(dtype) % (2**31 - 1 if dtype == np.int32 else 2**60)
    for y in (x, x[::-1].copy()):
        for name in ("argmin", "argmax", "min", "max"):
            assert getattr(gilfree, name)(y) == getattr(np, name)(y)


def scaled_norm(x):
    """Reference: np.linalg.norm of x scaled into range (powers of two: exact)."""
    x = np.asarray(x, dtype=np.float64)
    amax = np.max(np.abs(x))
    if amax == 0 or not np.isfinite(amax):
        return np.linalg.norm(x)
    e = math.frexp(amax)[1]
    return math.ldexp(float(np.linalg.norm(np.ldexp(x, -e))), e)


@pytest.mark.parametrize("n", [1, 7, 1023, 1025, 4099, 70_001])
@pytest.mark.parametrize("scale", [1e-300, 1e-160, 1e-136, 1e-135, 1.0, 1e135, 1e136, 1e154, 1e300])
def test_norm_magnitudes(n, scale, rng):
    x = rng.standard_normal(n) * scale
    np.testing.assert_allclose(gilfree.norm(x), scaled_norm(x), rtol=1e-13)


def test_norm_mixed_blocks(rng):
    n = 70_001
    x = rng.standard_normal(n)
    x[:1024] *= 1e-300  # a tiny block (scaled pass)
    x[5000:6500] *= 1e300  # huge blocks (scaled pass)
    x[40_000:41_000] *= 1e-200
    np.testing.assert_allclose(gilfree.norm(x), scaled_norm(x), rtol=1e-13)
    tiny = rng.standard_normal(n) * 1e-300
    tiny[30_000:31_024] = rng.standard_normal(1024) * 1e-140  # one block just above the fast path
    np.testing.assert_allclose(gilfree.norm(tiny), scaled_norm(tiny), rtol=1e-13)
    for k in (1, 2):  # the same bits for any thread count
        with gilfree.threads(k):
            got = gilfree.norm(x)
        assert got == gilfree.norm(x)


def test_norm_overflow_edge_and_specials(rng):
    x = np.full(4099, 1.3e154)  # squares overflow, the norm does not
    np.testing.assert_allclose(gilfree.norm(x), 1.3e154 * math.sqrt(4099), rtol=1e-14)
    y = rng.standard_normal(5000)
    y[3000] = np.inf
    assert gilfree.norm(y) == np.inf
    y[3001] = np.nan
    assert math.isnan(gilfree.norm(y))
    y[3000] = 1.0
    assert math.isnan(gilfree.norm(y))
    assert gilfree.norm(np.full(3000, 5e-324)) == pytest.approx(5e-324 * math.sqrt(3000), rel=1e-6)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32])
def test_norm_other_dtypes(dtype, rng):
    x = data(dtype, 70_001, rng)
    rtol = 1e-6 if dtype == np.float32 else 1e-12  # (a float32 result)
    np.testing.assert_allclose(gilfree.norm(x), np.linalg.norm(x.astype(np.float64)), rtol=rtol)
    if dtype == np.int64:
        big = np.full(1025, 2**62, dtype=np.int64)
        np.testing.assert_allclose(gilfree.norm(big), 2.0**62 * math.sqrt(1025), rtol=1e-14)


# short rows (up to 256 elements) go through the batched path, longer ones and
# strided rows through the row path; a row's bits must not depend on which
SHORT_ROW_SHAPES = [(10, 10), (1000, 10), (7, 1), (3, 256), (5, 257), (300, 100), (2, 3, 37), (129, 8), (1, 1024)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
@pytest.mark.parametrize("shape", SHORT_ROW_SHAPES)
def test_logsumexp_short_rows_batched(dtype, shape, rng):
    from scipy.special import logsumexp

    x = (rng.standard_normal(shape) * 5).astype(dtype)
    if x.dtype.kind == "f" and x.size > 20:
        x.flat[::17] = -np.inf  # rows with -inf terms, and some all -inf
        x.flat[3], x.flat[7], x.flat[12] = np.nan, np.inf, -np.inf
    got = gilfree.logsumexp(x, axis=-1)
    rtol = 1e-6 if dtype == np.float32 else 1e-13
    want = logsumexp(x.astype(np.float64), axis=-1)
    np.testing.assert_allclose(got, want.astype(got.dtype), rtol=rtol, equal_nan=True)
    row_path = gilfree.logsumexp(np.asfortranarray(x), axis=-1)  # strided rows: one row at a time
    assert got.tobytes() == np.ascontiguousarray(row_path).tobytes()
    for k in (1, 2):
        with gilfree.threads(k):
            assert gilfree.logsumexp(x, axis=-1).tobytes() == got.tobytes()


def _strided(a):
    """a's values with a non-unit stride on the last axis: the block-by-block
    path (gathered blocks), where a contiguous run is read several blocks at once
    (streamed_runs)."""
    b = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    b[..., ::2] = a
    return b[..., ::2]


def _streamed_values(dtype, n, rng):
    x = rng.standard_normal(n) * 3 + 1
    if n > 9000:
        x[1024:1040] += 1e9  # a var block whose pivot is far from its mean (two passes)
        if dtype != np.int32:  # norm: a block scaled down, one scaled up
            big = 1e200 if dtype == np.float64 else 1e30
            x[3000:3100] = big
            x[8192:8300] = 1 / big
    return x.astype(dtype)


# around the streamed windows: 2 blocks of 1024 (one block per run of a
# two-input op), 4 (one per run of a one-input op), a leftover whole block and
# a partial one, a whole chunk (4 runs of 8 blocks, or 2 of 16), chunks with a
# tail, rows of a 2-d array
STREAM_SIZES = [2048, 3 * 1024 + 5, 4095, 4096, 5 * 1024 + 7, 7 * 1024, 32768, 3 * 32768 + 4500, 100_003]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32])
@pytest.mark.parametrize("n", STREAM_SIZES)
def test_streamed_blocks_same_bits_as_block_by_block(dtype, n, rng):
    x = _streamed_values(dtype, n, rng)
    y = _streamed_values(dtype, n, rng)[::-1].copy()
    xs, ys = _strided(x), _strided(y)
    calls = {
        "var": lambda a, b: gilfree.var(a),
        "std": lambda a, b: gilfree.std(a, ddof=1),
        "sqdist": gilfree.sqdist,
        "norm": lambda a, b: gilfree.norm(a),
    }
    if dtype != np.int32:  # (integer sums and dots wrap in int64: exact in any order)
        calls.update(sum=lambda a, b: gilfree.sum(a), mean=lambda a, b: gilfree.mean(a), dot=gilfree.dot)
    for name, f in calls.items():
        got, ref = np.asarray(f(x, y)), np.asarray(f(xs, ys))
        assert got.tobytes() == ref.tobytes(), (name, got, ref)
    rtol = 1e-6 if dtype == np.float32 else 1e-12  # (float32 results are rounded to float32)
    assert np.isclose(gilfree.sum(x), np.sum(x, dtype=np.float64), rtol=rtol, atol=1e-6)
    big = np.abs(x.astype(np.float64)).max()  # (np.linalg.norm overflows on 1e200: scaled here)
    assert np.isclose(gilfree.norm(x), big * np.linalg.norm(x.astype(np.float64) / big), rtol=rtol)


def test_streamed_blocks_rows_and_specials(rng):
    a = rng.standard_normal((3, 40_000))
    a[1, 5000] = np.nan
    a[2, 20_000] = np.inf
    for f in (gilfree.sum, gilfree.mean, gilfree.var, gilfree.norm):
        got, ref = f(a, axis=-1), f(_strided(a), axis=-1)
        assert got.tobytes() == ref.tobytes(), f
    assert np.isnan(gilfree.sum(a, axis=-1)[1]) and gilfree.sum(a, axis=-1)[2] == np.inf
    assert np.isnan(gilfree.norm(a, axis=-1)[1]) and gilfree.norm(a, axis=-1)[2] == np.inf


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int64])
def test_extremes_of_streamed_runs(dtype, rng):
    """min / max of a long contiguous run read from its four quarters at once:
    the extreme or a NaN in any quarter, or in the tail past them, is found."""
    n = 3 * 32768 + 4500
    for pos in (0, 8191, 8192, 16400, 24575, 32767, 32768 + 9000, n - 3):
        x = data(dtype, n, rng)
        lo, hi = x.copy(), x.copy()
        lo[pos], hi[pos] = -100, 100
        assert gilfree.min(lo) == np.min(lo) == -100 and gilfree.max(hi) == np.max(hi) == 100
        assert gilfree.argmin(lo) == np.argmin(lo) and gilfree.argmax(hi) == np.argmax(hi)
        if np.dtype(dtype).kind == "f":
            x[pos] = np.nan
            assert np.isnan(gilfree.min(x)) and np.isnan(gilfree.max(x)), pos
