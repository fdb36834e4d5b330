"""gilfree.convolve/correlate vs NumPy, convolve2d/correlate2d vs SciPy."""

import gilfree
import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given, settings
from hypothesis import strategies as st

MODES = ["full", "same", "valid"]
BOUNDARIES = ["fill", "wrap", "symm"]
METHODS = ["direct", "fft", "auto"]
SETTINGS = settings(max_examples=60, deadline=None)


def _tol(dtype, ref):
    scale = max(1.0, float(np.max(np.abs(ref))) if ref.size else 1.0)
    return dict(rtol=0, atol=(2e-5 if dtype == np.float32 else 1e-11) * scale)


def _vec(rng, n, dtype, strided):
    if strided:  # a non-contiguous view (every other element, reversed)
        return rng.standard_normal(2 * n).astype(dtype)[::-2]
    return rng.standard_normal(n).astype(dtype)


@SETTINGS
@given(
    n=st.integers(1, 40),
    m=st.integers(1, 40),
    mode=st.sampled_from(MODES),
    method=st.sampled_from(METHODS),
    dtype=st.sampled_from([np.float64, np.float32]),
    strided=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_convolve_correlate_match_numpy(n, m, mode, method, dtype, strided, seed):
    rng = np.random.default_rng(seed)
    a, v = _vec(rng, n, dtype, strided), _vec(rng, m, dtype, not strided)
    for ours, ref in ((gilfree.convolve, np.convolve), (gilfree.correlate, np.correlate)):
        got = ours(a, v, mode, method=method)
        want = ref(a.astype(np.float64), v.astype(np.float64), mode)
        assert got.dtype == dtype
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, **_tol(dtype, want))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n,m", [(10, 4), (10, 5), (4, 10), (5, 10), (7, 7), (8, 8), (1, 6), (6, 1)])
def test_same_centring_even_and_odd(n, m, mode):
    a = np.arange(1.0, n + 1)
    v = np.arange(1.0, m + 1) ** 2
    for method in ("direct", "fft"):
        want = np.convolve(a, v, mode)
        np.testing.assert_allclose(
            gilfree.convolve(a, v, mode, method=method), want, **_tol(np.float64, want)
        )
        want = np.correlate(a, v, mode)
        np.testing.assert_allclose(
            gilfree.correlate(a, v, mode, method=method), want, **_tol(np.float64, want)
        )


def test_defaults_and_integers():
    a, v = [1, 2, 3, 4], [1, -1]
    assert gilfree.convolve(a, v).dtype == np.float64
    np.testing.assert_array_equal(gilfree.convolve(a, v), np.convolve(a, v))
    np.testing.assert_array_equal(gilfree.correlate(a, v), np.correlate(a, v))  # "valid"
    np.testing.assert_array_equal(gilfree.convolve(3, [1, 2]), np.convolve(3, [1, 2]))


def test_long_kernel_auto_fft_matches():
    rng = np.random.default_rng(1)
    a, v = rng.standard_normal(5000), rng.standard_normal(700)
    for mode in MODES:
        np.testing.assert_allclose(gilfree.convolve(a, v, mode), np.convolve(a, v, mode), atol=1e-9)
        np.testing.assert_allclose(gilfree.correlate(v, a, mode), np.correlate(v, a, mode), atol=1e-9)


def _img(rng, shape, dtype, strided):
    if strided:
        big = rng.standard_normal((2 * shape[0], shape[1] + 3)).astype(dtype)
        return big[::2, 1 : shape[1] + 1]
    return rng.standard_normal(shape).astype(dtype)


@SETTINGS
@given(
    h=st.integers(1, 12),
    w=st.integers(1, 12),
    kh=st.integers(1, 14),
    kw=st.integers(1, 14),
    mode=st.sampled_from(MODES),
    boundary=st.sampled_from(BOUNDARIES),
    method=st.sampled_from(METHODS),
    dtype=st.sampled_from([np.float64, np.float32]),
    fill=st.sampled_from([0.0, 1.5, -2.0]),
    strided=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_convolve2d_correlate2d_match_scipy(h, w, kh, kw, mode, boundary, method, dtype, fill, strided, seed):
    rng = np.random.default_rng(seed)
    in1, in2 = _img(rng, (h, w), dtype, strided), _img(rng, (kh, kw), dtype, not strided)
    if mode == "valid" and not ((h >= kh and w >= kw) or (kh >= h and kw >= w)):
        with pytest.raises(ValueError, match="in2"):
            gilfree.convolve2d(in1, in2, mode)
        return
    for ours, ref in ((gilfree.convolve2d, ss.convolve2d), (gilfree.correlate2d, ss.correlate2d)):
        got = ours(in1, in2, mode, boundary, fill, method=method)
        want = ref(in1.astype(np.float64), in2.astype(np.float64), mode, boundary, fill)
        assert got.dtype == dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, **_tol(dtype, want))


@pytest.mark.parametrize("k", [(2, 2), (3, 4), (4, 3), (5, 5), (6, 6)])
@pytest.mark.parametrize("fn", ["convolve2d", "correlate2d"])
def test_2d_same_centring(k, fn):
    img = np.arange(63.0).reshape(7, 9) ** 1.5
    ker = np.arange(1.0, k[0] * k[1] + 1).reshape(k)
    for boundary in BOUNDARIES:
        for method in ("direct", "fft"):
            got = getattr(gilfree, fn)(img, ker, "same", boundary, method=method)
            want = getattr(ss, fn)(img, ker, "same", boundary)
            np.testing.assert_allclose(got, want, **_tol(np.float64, want))


def test_kernel_larger_than_input_2d():
    rng = np.random.default_rng(3)
    small, big = rng.standard_normal((3, 2)), rng.standard_normal((9, 8))
    for mode in MODES:
        for boundary in BOUNDARIES:
            for ours, ref in ((gilfree.convolve2d, ss.convolve2d), (gilfree.correlate2d, ss.correlate2d)):
                np.testing.assert_allclose(
                    ours(small, big, mode, boundary, 0.5), ref(small, big, mode, boundary, 0.5), atol=1e-12
                )


def test_large_2d_fft_tiles_match_direct():
    rng = np.random.default_rng(4)
    img, ker = rng.standard_normal((300, 700)), rng.standard_normal((17, 33))
    for boundary in BOUNDARIES:
        d = gilfree.correlate2d(img, ker, "same", boundary, method="direct")
        f = gilfree.correlate2d(img, ker, "same", boundary, method="fft")
        np.testing.assert_allclose(f, d, atol=1e-9)
    np.testing.assert_allclose(
        gilfree.convolve2d(img, ker, "valid"), ss.convolve2d(img, ker, "valid"), atol=1e-9
    )


def test_nan_stays_local_in_direct_path():
    a = np.ones(50)
    a[25] = np.nan
    out = gilfree.convolve(a, np.ones(3), "same", method="direct")
    assert np.isnan(out[24:27]).all() and np.isfinite(np.delete(out, [24, 25, 26])).all()


def test_float32_fill_cast_like_scipy():
    img = np.ones((4, 4), np.float32)
    got = gilfree.convolve2d(img, np.ones((3, 3), np.float32), boundary="fill", fillvalue=0.1)
    want = ss.convolve2d(img, np.ones((3, 3), np.float32), boundary="fill", fillvalue=0.1)
    np.testing.assert_allclose(got, want, rtol=1e-6)
