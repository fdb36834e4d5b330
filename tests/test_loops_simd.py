"""The vectorised paths of gilfree.loops against NumPy: the fused one-pass
min / max / argmin / argmax block loops (NaN at every kind of position,
ties, misaligned starts, lengths around the vector and block sizes) and
the column-tile path of reductions over a non-last axis."""

import gilfree
import numpy as np
import pytest

DTYPES = [np.int32, np.int64, np.float32, np.float64]
# lengths around the vector width (8/16), unroll (4 vectors), sub-block (2048)
# and chunk (32768) sizes
LENGTHS = [
    1,
    2,
    7,
    15,
    16,
    17,
    63,
    64,
    65,
    127,
    1023,
    1024,
    1025,
    2047,
    2048,
    2049,
    4099,
    32767,
    32768,
    32769,
    70001,
]


def data(dtype, n, rng):
    if np.dtype(dtype).kind == "i":
        return rng.integers(-50, 50, size=n + 3).astype(dtype)  # many ties
    return rng.standard_normal(n + 3).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("start", [0, 1, 3])  # misaligned views
def test_minmax_arg_lengths(dtype, n, start, rng):
    x = data(dtype, n, rng)[start : start + n]
    for name in ("min", "max", "argmin", "argmax"):
        got = getattr(gilfree, name)(x)
        want = getattr(np, name)(x)
        assert got == want, (name, n, start)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [17, 1025, 4099, 70001])
def test_nan_positions(dtype, n, rng):
    base = data(dtype, n, rng)[:n]
    positions = sorted(
        {0, 1, 7, 8, 15, 16, 31, 63, 64, n // 2, 2047, 2048, 32768, n - 2, n - 1} & set(range(n))
    )
    for p in positions:
        x = base.copy()
        x[p] = np.nan
        for q in (p + 1, p + 2048, n - 1):  # a second, later NaN
            y = x.copy()
            if q < n:
                y[q] = np.nan
            for name in ("argmin", "argmax"):
                assert getattr(gilfree, name)(y) == getattr(np, name)(y) == p, (name, p)
            for name in ("min", "max"):
                assert np.isnan(getattr(gilfree, name)(y)), (name, p)
        for name in ("min", "max", "argmin", "argmax"):  # misaligned view of the same data
            v = x[1:]
            np.testing.assert_equal(getattr(gilfree, name)(v), getattr(np, name)(v))


@pytest.mark.parametrize("dtype", DTYPES)
def test_extreme_ties_and_infinities(dtype, rng):
    n = 100_000
    x = np.zeros(n, dtype=dtype)
    for p in (5, 4097, 99_999):
        x[p] = 3
        x[n - 1 - p // 2] = -3
    assert gilfree.argmax(x) == np.argmax(x) == 5
    assert gilfree.argmin(x) == np.argmin(x)
    if np.dtype(dtype).kind == "f":
        x[70_000] = np.inf
        x[80_000] = -np.inf
        assert gilfree.argmax(x) == 70_000 and gilfree.max(x) == np.inf
        assert gilfree.argmin(x) == 80_000 and gilfree.min(x) == -np.inf
    else:
        info = np.iinfo(dtype)
        x[60_000] = info.max
        x[60_001] = info.min
        assert gilfree.argmax(x) == 60_000 and gilfree.max(x) == info.max
        assert gilfree.argmin(x) == 60_001 and gilfree.min(x) == info.min


@pytest.mark.parametrize("dtype", DTYPES)
def test_monotone(dtype):
    x = np.arange(50_000).astype(dtype)
    for y in (x, x[::-1].copy()):
        for name in ("min", "max", "argmin", "argmax"):
            assert getattr(gilfree, name)(y) == getattr(np, name)(y)


TILE_SHAPES = [(2, 8), (37, 1001), (1025, 9), (3000, 17), (33_000, 11), (5, 3, 130), (70, 7)]
TILE_FUNCS = ["sum", "mean", "var", "std", "min", "max", "argmin", "argmax"]


def tile_input(dtype, shape, rng):
    if np.dtype(dtype).kind == "i":
        return rng.integers(-1000, 1000, size=shape).astype(dtype)
    return (1e6 + rng.standard_normal(shape)).astype(dtype)  # an offset: exercises var's shift


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", TILE_SHAPES)
@pytest.mark.parametrize("name", TILE_FUNCS)
def test_axis0_tiles(dtype, shape, name, rng):
    """Column tiles (axis 0 of C order) vs NumPy, and the same bits as the row path (F order)."""
    x = tile_input(dtype, shape, rng)
    got = getattr(gilfree, name)(x, axis=0)
    row_path = getattr(gilfree, name)(np.asfortranarray(x), axis=0)
    assert got.tobytes() == np.ascontiguousarray(row_path).tobytes()
    want = getattr(np, name)(x.astype(np.float64) if name in ("mean", "var", "std") else x, axis=0)
    if name in ("min", "max", "argmin", "argmax") or (name == "sum" and np.dtype(dtype).kind == "i"):
        np.testing.assert_array_equal(got, want)
    else:
        rtol = 1e-4 if dtype == np.float32 else 1e-9
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * np.abs(want).max())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axis0_tiles_nan(dtype, rng):
    x = rng.standard_normal((2100, 21)).astype(dtype)
    for r, c in [(0, 0), (5, 3), (1024, 7), (2099, 8), (17, 20), (2047, 15)]:
        x[r, c] = np.nan
    x[2000, 3] = np.nan  # a second, later NaN in a column
    for name in ("argmin", "argmax"):
        np.testing.assert_array_equal(getattr(gilfree, name)(x, axis=0), getattr(np, name)(x, axis=0))
    for name in ("min", "max", "sum", "mean", "var"):
        np.testing.assert_array_equal(
            np.isnan(getattr(gilfree, name)(x, axis=0)), np.isnan(getattr(np, name)(x, axis=0))
        )


def test_axis0_tiles_threads(rng):
    x = rng.standard_normal((40_000, 70))
    for name in TILE_FUNCS:
        with gilfree.threads(1):
            one = getattr(gilfree, name)(x, axis=0)
        with gilfree.threads(2):
            two = getattr(gilfree, name)(x, axis=0)
        assert one.tobytes() == two.tobytes(), name
