"""gilfree.conv at the edges (issue #9): huge strides, dilations and paddings,
inf/nan inputs, 0-d inputs, array-like fill values. References are torch,
NumPy, SciPy or an index formula written here."""

import json
import subprocess
import sys

import gilfree
import numpy as np
import pytest
import scipy.signal as ss
import torch
import torch.nn.functional as F

INF = np.inf


def _ref_conv1d(x, w, stride, padding, dilation):
    """torch's conv1d for one channel, by its index formula (no padded copy):
    out[i] = sum_k w[k] * x[i*stride + k*dilation - padding] (0 outside x)."""
    x, w = np.asarray(x, float).ravel(), np.asarray(w, float).ravel()
    n, k = x.size, w.size
    nout = (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    cols = np.array(
        [[i * stride + j * dilation - padding for j in range(k)] for i in range(nout)], dtype=object
    )
    inside = (cols >= 0) & (cols < n)
    vals = np.where(inside, x[np.where(inside, cols, 0).astype(np.int64)], 0.0)
    return (vals * w).sum(axis=1)


# -- defect 1: stride and dilation never size an allocation ---------------------


@pytest.mark.parametrize("stride", [2**20, 2**31])
@pytest.mark.parametrize("method", ["direct", "gemm", "auto"])
def test_huge_stride_matches_torch(stride, method):
    rng = np.random.default_rng(3)
    x1, w1 = rng.standard_normal((2, 3, 9)), rng.standard_normal((4, 3, 3))
    want = F.conv1d(torch.from_numpy(x1), torch.from_numpy(w1), stride=stride, padding=1).numpy()
    np.testing.assert_allclose(
        gilfree.conv1d(x1, w1, stride=stride, padding=1, method=method), want, atol=1e-12
    )
    x2, w2 = rng.standard_normal((1, 2, 7, 8)), rng.standard_normal((4, 2, 3, 2))
    for st in (stride, (stride, 3), (2, stride)):
        want = F.conv2d(torch.from_numpy(x2), torch.from_numpy(w2), stride=st, padding=1).numpy()
        got = gilfree.conv2d(x2, w2, stride=st, padding=1, method=method)
        np.testing.assert_allclose(got, want, atol=1e-12)


@pytest.mark.parametrize("method", ["direct", "gemm"])
def test_huge_dilation_matches_torch(method):
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((1, 1, 9)), rng.standard_normal((1, 1, 2))
    kw = dict(dilation=2**16, padding=2**15, stride=3)
    want = F.conv1d(torch.from_numpy(x), torch.from_numpy(w), **kw).numpy()
    np.testing.assert_allclose(gilfree.conv1d(x, w, method=method, **kw), want, atol=1e-12)


@pytest.mark.parametrize("method", ["direct", "gemm", "auto"])
@pytest.mark.parametrize(
    "stride,padding,dilation",
    [
        (1, 2**29, 2**30),
        (2**30, 2**30, 2**30),
        (5, 2**40, 2**41),
        (2**62, 2**61, 1),
        (2**31, 2**31 + 3, 2**32),
    ],
)
def test_huge_dilation_and_padding_match_formula(method, stride, padding, dilation):
    x, w = np.arange(1.0, 10.0), np.array([2.0, -1.0])
    want = _ref_conv1d(x, w, stride, padding, dilation)
    got = gilfree.conv1d(
        x[None], w[None, None], stride=stride, padding=padding, dilation=dilation, method=method
    )
    np.testing.assert_array_equal(got[0], want)
    # the same geometry along either axis of conv2d
    got_w = gilfree.conv2d(
        x[None, None],
        w[None, None, None],
        stride=(1, stride),
        padding=(0, padding),
        dilation=(1, dilation),
        method=method,
    )
    got_h = gilfree.conv2d(
        x[None, :, None],
        w[None, None, :, None],
        stride=(stride, 1),
        padding=(padding, 0),
        dilation=(dilation, 1),
        method=method,
    )
    np.testing.assert_array_equal(got_w[0, 0], want)
    np.testing.assert_array_equal(got_h[0, :, 0], want)


_MEMORY_SCRIPT = """
import json, resource, numpy as np, gilfree
x, w = np.ones((1, 1, 9)), np.ones((1, 1, 3))
gilfree.conv1d(x, w, method="direct")  # warm up: pool, imports
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
gilfree.conv1d(x, w, stride=2**24, method="direct")
gilfree.conv1d(x, w, stride=2**27, method="direct")
gilfree.conv1d(np.ones((1, 1, 9)), np.ones((1, 1, 2)), dilation=2**24, padding=2**23, method="direct")
gilfree.conv1d(np.ones((1, 1, 9)), np.ones((1, 1, 2)), dilation=2**24, padding=2**23, method="gemm")
gilfree.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), stride=2**31)
gilfree.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), dilation=2**24, padding=2**23)
print(json.dumps((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024))
"""


def test_huge_stride_and_dilation_use_little_memory():
    out = subprocess.run([sys.executable, "-c", _MEMORY_SCRIPT], capture_output=True, text=True, check=True)
    grown_mb = json.loads(out.stdout.strip().splitlines()[-1])
    assert grown_mb < 100, f"peak memory grew by {grown_mb} MB"


# -- defect 4: huge integer arguments name themselves ---------------------------


X1, W1 = np.ones((1, 1, 9)), np.ones((1, 1, 3))
X2, W2 = np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3))


@pytest.mark.parametrize("big", [2**63, 2**70, -(2**63) - 1])
@pytest.mark.parametrize("name", ["stride", "padding", "dilation", "groups"])
def test_out_of_int64_arguments_name_themselves(name, big):
    for call in (
        lambda: gilfree.conv1d(X1, W1, **{name: big}),
        lambda: gilfree.conv2d(X2, W2, **{name: big}),
        lambda: gilfree.conv2d(X2, W2, **{name: (1, big) if name != "groups" else big}),
    ):
        with pytest.raises(ValueError, match=f"^{name}:"):
            call()


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: gilfree.conv1d(X1, W1, padding=2**62), "padding"),  # padded size beyond int64
        (lambda: gilfree.conv1d(X1, W1, padding=(2**62 + 7,)), "padding"),
        (lambda: gilfree.conv2d(X2, W2, padding=(0, 2**62)), "padding"),
        (lambda: gilfree.conv2d(X2, W2, padding=2**40), "padding"),  # 2**82 outputs
        (lambda: gilfree.conv1d(X1, W1, dilation=2**62, padding=2**62), "padding"),
        (lambda: gilfree.conv1d(X1, W1, dilation=2**62), "input"),  # kernel span beyond the input
    ],
)
def test_impossible_geometry_names_argument(call, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        call()


def test_unallocatable_output_names_padding():
    with pytest.raises((MemoryError, ValueError), match="^padding:"):
        gilfree.conv1d(X1, W1, padding=2**45)  # 2**46 float64 outputs: 512 TiB


# -- defect 6: inf/nan only meet real samples on the direct path ----------------

SEQS = [[0.5, -0.25, 1.0], [INF, INF, INF], [1.0, INF, 2.0], [np.nan, 1.0], [-INF, 2.0, 3.0, 4.0, 1.0]]


@pytest.mark.parametrize("a", SEQS)
@pytest.mark.parametrize("v_", SEQS)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("method", ["direct", "auto"])
def test_convolve_correlate_nonfinite_match_numpy(a, v_, mode, method):
    with np.errstate(invalid="ignore"):
        for ours, ref in ((gilfree.convolve, np.convolve), (gilfree.correlate, np.correlate)):
            np.testing.assert_array_equal(ours(a, v_, mode, method=method), ref(a, v_, mode))


@pytest.mark.parametrize("fill", [0, 1.5])
@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve2d_nonfinite_matches_scipy(fill, boundary, mode):
    img = np.arange(12.0).reshape(3, 4) - 5
    img2 = img.copy()
    img2[1, 2] = INF
    kerns = [np.full((2, 2), INF), np.array([[1.0, np.nan], [2.0, 3.0]]), np.array([[1.0, 2.0, -INF]])]
    with np.errstate(invalid="ignore"):
        for x in (img, img2):
            for k in kerns:
                for ours, ref in ((gilfree.convolve2d, ss.convolve2d), (gilfree.correlate2d, ss.correlate2d)):
                    want = ref(x, k, mode, boundary, fill)
                    np.testing.assert_array_equal(ours(x, k, mode, boundary, fill, method="direct"), want)


@pytest.mark.parametrize("method", ["direct", "gemm", "auto"])
def test_conv_nonfinite_padding_matches_torch(method):
    x1 = np.array([[[0.5, -0.25, 1.0, 2.0]]] * 2).reshape(1, 2, 4)
    w1 = np.array([[[INF, 1.0, 2.0], [1.0, 1.0, 1.0]]] * 4)
    x1i = x1.copy()
    x1i[0, 1, 0] = -INF
    for x, w in ((x1, w1), (x1i, np.ones_like(w1))):
        want = F.conv1d(torch.from_numpy(x), torch.from_numpy(w), padding=2).numpy()
        np.testing.assert_array_equal(gilfree.conv1d(x, w, padding=2, method=method), want)
    x2 = np.ones((1, 8, 5, 5))
    w2 = np.ones((4, 8, 3, 2))
    w2[1, 3, 0, 1] = INF
    w2[2, 0, 2, 0] = np.nan
    want = F.conv2d(torch.from_numpy(x2), torch.from_numpy(w2), padding=(1, 2)).numpy()
    np.testing.assert_array_equal(gilfree.conv2d(x2, w2, padding=(1, 2), method=method), want)


# -- defect 12: correlate rejects 0-d inputs, as numpy.correlate does -----------


@pytest.mark.parametrize("a,v_,name", [(1.0, [1.0, 2.0], "a"), ([1.0, 2.0], 2.0, "v"), (1.0, 1.0, "a")])
def test_correlate_rejects_0d_like_numpy(a, v_, name):
    with pytest.raises(ValueError):
        np.correlate(a, v_)
    with pytest.raises(ValueError, match=f"^{name}:"):
        gilfree.correlate(a, v_)
    np.testing.assert_array_equal(gilfree.convolve(a, v_), np.convolve(a, v_))  # convolve accepts them


# -- defect 13: fillvalue as a one-element array-like ---------------------------


@pytest.mark.parametrize("fill", [[3], [[3.0]], np.array([3]), (2.5,), np.float32(2)])
def test_fillvalue_one_element_array_like(fill):
    img, k = np.arange(6.0).reshape(2, 3), np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(
        gilfree.convolve2d(img, k, fillvalue=fill), ss.convolve2d(img, k, fillvalue=fill)
    )
    np.testing.assert_array_equal(
        gilfree.correlate2d(img, k, fillvalue=fill), ss.correlate2d(img, k, fillvalue=fill)
    )


@pytest.mark.parametrize("fill", [[1, 2], [], np.ones((2, 2)), ()])
def test_fillvalue_wrong_size_is_value_error(fill):
    img = np.ones((3, 3))
    with pytest.raises(ValueError):
        ss.convolve2d(img, img, fillvalue=fill)
    with pytest.raises(ValueError, match="^fillvalue:"):
        gilfree.convolve2d(img, img, fillvalue=fill)
