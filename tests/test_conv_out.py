"""conv1d/conv2d out= (issue #11): the result written into the caller's buffer,
checked (dtype, shape, writeable, distinct elements, no shared memory) before
anything is written."""

import gilfree
import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional


@pytest.mark.parametrize("method", ["direct", "gemm", "winograd"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv2d_out_matches_torch(method, dtype, rng):
    x = rng.normal(size=(2, 8, 9, 7)).astype(dtype)
    w = rng.normal(size=(4, 8, 3, 3)).astype(dtype)
    b = rng.normal(size=4).astype(dtype)
    want = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), padding=1).numpy()
    out = np.empty((4, 2, 7, 9), dtype).transpose(1, 0, 3, 2)  # (2, 4, 9, 7), no C layout
    res = gilfree.conv2d(x, w, b, padding=1, method=method, out=out)
    assert res is out
    tol = 1e-12 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(out, want, rtol=tol, atol=tol)


def test_conv2d_out_unbatched_strided_and_stride2(rng):
    x, w = rng.normal(size=(3, 10, 10)), rng.normal(size=(6, 3, 2, 2))
    want = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=2).numpy()
    out = np.zeros((6, 10, 5))[:, ::2, :]
    assert gilfree.conv2d(x, w, stride=2, out=out) is out
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-12)


def test_conv1d_out(rng):
    x, w = rng.normal(size=(2, 4, 20)), rng.normal(size=(6, 2, 3))
    want = F.conv1d(torch.from_numpy(x), torch.from_numpy(w), groups=2, padding="same").numpy()
    out = np.empty((2, 6, 20))
    assert gilfree.conv1d(x, w, groups=2, padding="same", out=out) is out
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-12)
    out1 = np.empty((6, 20))
    assert gilfree.conv1d(x[0], w, groups=2, padding="same", out=out1) is out1
    np.testing.assert_allclose(out1, want[0], rtol=1e-12, atol=1e-12)


def test_empty_batch_out():
    out = np.empty((0, 2, 3, 3))
    assert gilfree.conv2d(np.zeros((0, 1, 5, 5)), np.ones((2, 1, 3, 3)), out=out) is out


X = np.linspace(-1, 1, 2 * 3 * 6 * 6).reshape(2, 3, 6, 6)
W = np.linspace(0, 1, 4 * 3 * 3 * 3).reshape(4, 3, 3, 3)


@pytest.mark.parametrize(
    "out, exc, match",
    [
        (np.zeros((2, 4, 4, 4), np.float32), TypeError, "out: expected dtype float64"),
        ([0.0], TypeError, "out: expected a numpy.ndarray, got list"),
        (np.zeros((2, 4, 6, 6)), ValueError, r"out: expected shape \(2, 4, 4, 4\)"),
        ("readonly", ValueError, "out: expected a writeable array"),
        ("self", ValueError, "out: expected distinct elements"),
        ("input", ValueError, "out: expected an array sharing no memory with input"),
        ("weight", ValueError, "out: expected an array sharing no memory with weight"),
    ],
)
def test_failed_check_leaves_out_untouched(out, exc, match):
    x, w = X.copy(), W.copy()
    big = np.full(2 * 4 * 4 * 4 + 200, 7.0)
    special = {
        "readonly": np.full((2, 4, 4, 4), 7.0),
        "self": np.lib.stride_tricks.as_strided(big, (2, 4, 4, 4), (8, 8, 8, 8), writeable=True),
        "input": x.reshape(-1)[: 2 * 4 * 4 * 4].reshape(2, 4, 4, 4),
    }
    if isinstance(out, str) and out == "weight":  # weight and out in one buffer, overlapping in 8 elements
        shared = np.zeros(W.size + 128 - 8)
        w = shared[: W.size].reshape(W.shape)
        w[...] = W
        special["weight"] = shared[W.size - 8 :].reshape(2, 4, 4, 4)
    special["readonly"].flags.writeable = False
    out = special.get(out, out) if isinstance(out, str) else out
    before = np.array(out, copy=True)
    with pytest.raises(exc, match=match):
        gilfree.conv2d(x, w, out=out)
    np.testing.assert_array_equal(out, before)
    np.testing.assert_array_equal(x, X)
    np.testing.assert_array_equal(w, W)


def test_out_checked_before_a_method_error():
    out = np.full((1, 1, 2, 2), 7.0)
    with pytest.raises(ValueError, match="method"):
        gilfree.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=2, method="winograd", out=out)
    np.testing.assert_array_equal(out, 7.0)


# -- convolve / correlate / convolve2d / correlate2d out= (NumPy/SciPy-style) -----------------


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("name", ["convolve", "correlate"])
@pytest.mark.parametrize("swap", [False, True])
def test_convolve_correlate_out_match_numpy(name, mode, method, swap, rng):
    a, v = rng.normal(size=40), rng.normal(size=9)
    if swap:  # v the longer: NumPy swaps (and correlate reverses)
        a, v = v, a
    want = getattr(np, name)(a, v, mode)
    out = np.full(2 * want.shape[0], 7.0)[::2]  # a strided view
    assert getattr(gilfree, name)(a, v, mode, method=method, out=out) is out
    np.testing.assert_allclose(out, want, rtol=1e-10, atol=1e-12)


def test_convolve_out_float32():
    a, v = np.arange(5, dtype=np.float32), np.array([1.0, -1.0], np.float32)
    out = np.empty(6, np.float32)
    assert gilfree.convolve(a, v, out=out) is out
    np.testing.assert_array_equal(out, np.convolve(a.astype(np.float64), v.astype(np.float64)))


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
def test_convolve2d_correlate2d_out_match_scipy(name, mode, boundary, method, rng):
    signal = pytest.importorskip("scipy.signal")
    img, k = rng.normal(size=(9, 11)), rng.normal(size=(3, 4))
    pairs = [(img, k), (k, img)] if mode == "valid" else [(img, k)]  # valid: scipy swaps
    for in1, in2 in pairs:
        want = getattr(signal, name)(in1, in2, mode, boundary, fillvalue=0.5)
        out = np.full(want.shape[::-1], 7.0).T  # Fortran layout
        res = getattr(gilfree, name)(in1, in2, mode, boundary, 0.5, method=method, out=out)
        assert res is out
        np.testing.assert_allclose(out, want, rtol=1e-10, atol=1e-12)


A1 = np.linspace(-1.0, 1.0, 12)
V1 = np.array([0.5, 1.0, -2.0])


def _signal_special(kind):
    """(out, a, v) for an out= check of convolve on A1 and V1 ("full": 14 elements)."""
    a, v = A1.copy(), V1.copy()
    big = np.full(40, 7.0)
    if kind == "readonly":
        out = np.full(14, 7.0)
        out.flags.writeable = False
    elif kind == "self":
        out = np.lib.stride_tricks.as_strided(big, (14,), (0,), writeable=True)
    elif kind == "a":
        shared = np.full(26, 7.0)
        a = shared[:12]
        a[...] = A1
        out = shared[11:25]  # overlaps a in its last element
    else:  # "v": v and out in one buffer
        shared = np.full(17, 7.0)
        v = shared[:3]
        v[...] = V1
        out = shared[2:16]  # overlaps v in its last element
    return out, a, v


@pytest.mark.parametrize(
    "kind, exc, match",
    [
        (np.zeros(14, np.float32), TypeError, "out: expected dtype float64"),
        ([0.0] * 14, TypeError, "out: expected a numpy.ndarray, got list"),
        (np.zeros(13), ValueError, r"out: expected shape \(14,\)"),
        (np.zeros((1, 14)), ValueError, r"out: expected shape \(14,\)"),
        ("readonly", ValueError, "out: expected a writeable array"),
        ("self", ValueError, "out: expected distinct elements"),
        ("a", ValueError, "out: expected an array sharing no memory with a"),
        ("v", ValueError, "out: expected an array sharing no memory with v"),
    ],
)
@pytest.mark.parametrize("name", ["convolve", "correlate"])
def test_convolve_failed_out_check_leaves_out_untouched(name, kind, exc, match):
    if isinstance(kind, str):
        out, a, v = _signal_special(kind)
    else:
        out, a, v = kind, A1.copy(), V1.copy()
    before = np.array(out, copy=True)
    with pytest.raises(exc, match=match):
        getattr(gilfree, name)(a, v, "full", out=out)
    np.testing.assert_array_equal(np.asarray(out), before)
    np.testing.assert_array_equal(a, A1)
    np.testing.assert_array_equal(v, V1)


@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
def test_convolve2d_failed_out_check_leaves_out_untouched(name):
    img, k = np.arange(20.0).reshape(4, 5), np.ones((2, 2))
    cases = [
        (np.zeros((5, 6), np.float32), TypeError, "out: expected dtype float64"),
        (np.zeros((6, 5)), ValueError, r"out: expected shape \(5, 6\)"),
    ]
    ro = np.full((5, 6), 7.0)
    ro.flags.writeable = False
    cases.append((ro, ValueError, "out: expected a writeable array"))
    for out, exc, match in cases:
        before, img_before = out.copy(), img.copy()
        with pytest.raises(exc, match=match):
            getattr(gilfree, name)(img, k, "full", out=out)
        np.testing.assert_array_equal(out, before)
        np.testing.assert_array_equal(img, img_before)


@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
def test_convolve2d_out_shares_with_an_input(name):
    img, k = np.arange(20.0).reshape(4, 5), np.ones((2, 2))
    with pytest.raises(ValueError, match="sharing no memory with in1"):
        getattr(gilfree, name)(img, k, "valid", out=img[:3, :4])
    buf = np.ones(16)
    with pytest.raises(ValueError, match="sharing no memory with in2"):  # out overlaps in2's last row
        getattr(gilfree, name)(img, buf[:4].reshape(2, 2), "valid", out=buf[2:14].reshape(3, 4))
    np.testing.assert_array_equal(buf, 1.0)
    np.testing.assert_array_equal(img, np.arange(20.0).reshape(4, 5))
