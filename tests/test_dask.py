"""gilfree.dask on the threaded scheduler: every result equals the in-memory
gilfree result (itself checked against NumPy/SciPy/torch by the kernel
tests) within the kernel tests' tolerances, for uneven chunks and chunks
smaller than a kernel's halo; errors name the argument."""

import doctest
import subprocess
import sys

import gilfree
import numpy as np
import pytest
import scipy.signal

da = pytest.importorskip("dask.array")
import dask  # noqa: E402
import gilfree.dask as gd  # noqa: E402

RTOL = {np.float64: 1e-12, np.float32: 1e-5}


@pytest.fixture(autouse=True)
def _threaded():
    with dask.config.set(scheduler="threads"):
        yield


def close(got, want, dtype=np.float64):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=RTOL[dtype], atol=RTOL[dtype] * 1e-3, equal_nan=True)


# ------------------------------------------------------------------ losses

ELEMENTWISE = [
    ("mse", {}),
    ("mae", {}),
    ("huber", {"delta": 0.7}),
    ("smooth_l1", {"beta": 0.5}),
    ("log_cosh", {}),
    ("pinball", {"quantile": 0.3}),
    ("poisson_nll", {"full": True}),
    ("binary_cross_entropy", {}),
    ("binary_cross_entropy_with_logits", {}),
    ("kl_div", {}),
    ("hinge", {}),
    ("squared_hinge", {}),
]
CHUNKS = [(7, 5), ((3, 1, 6, 2), (2, 8)), (12, 10)]


def _pair(rng, shape, dtype):
    x = rng.uniform(0.05, 0.95, size=shape).astype(dtype)
    y = rng.uniform(0.0, 1.0, size=shape).astype(dtype)
    return x, y


@pytest.mark.parametrize("name, params", ELEMENTWISE, ids=[n for n, _ in ELEMENTWISE])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("chunks", CHUNKS, ids=["even", "uneven", "one"])
def test_elementwise_loss_equals_in_memory(rng, name, params, reduction, chunks):
    x, y = _pair(rng, (12, 10), np.float64)
    dx = da.from_array(x, chunks=chunks)
    value, grad = getattr(gd, name)(dx, y, reduction=reduction, return_grad=True, **params)
    ref, ref_grad = getattr(gilfree, name)(x, y, reduction=reduction, return_grad=True, **params)
    assert grad.chunks == dx.chunks
    close(value.compute(), ref)
    close(grad.compute(), ref_grad)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_weighted_loss_and_pos_weight(rng, dtype, reduction):
    x, y = _pair(rng, (9, 4), dtype)
    w = rng.uniform(0.1, 2.0, size=(9, 4)).astype(dtype)
    pw = np.array([0.5, 1.0, 2.0, 3.0])
    dx = da.from_array(x, chunks=(4, 3))
    dw = da.from_array(w, chunks=(4, 3))
    for name, kw in (("mse", {}), ("binary_cross_entropy_with_logits", {"pos_weight": pw})):
        value, grad = getattr(gd, name)(dx, y, sample_weight=dw, reduction=reduction, return_grad=True, **kw)
        ref, ref_grad = getattr(gilfree, name)(
            x, y, sample_weight=w, reduction=reduction, return_grad=True, **kw
        )
        close(value.compute(), ref, dtype)
        close(grad.compute(), ref_grad, dtype)


def test_kl_div_batchmean(rng):
    x, y = _pair(rng, (11, 3), np.float64)
    value, grad = gd.kl_div(
        da.from_array(np.log(x), chunks=(4, 2)), y, reduction="batchmean", return_grad=True
    )
    ref, ref_grad = gilfree.kl_div(np.log(x), y, reduction="batchmean", return_grad=True)
    close(value.compute(), ref)
    close(grad.compute(), ref_grad)


def _torch_ce(logits, labels, weight=None, smoothing=0.0, reduction="mean"):
    torch = pytest.importorskip("torch")
    t = torch.nn.functional.cross_entropy(
        torch.from_numpy(logits),
        torch.from_numpy(labels),
        weight=None if weight is None else torch.from_numpy(weight),
        label_smoothing=smoothing,
        reduction=reduction,
        ignore_index=-100,
    )
    return t.numpy()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("chunks", [(5, 4), ((1, 7, 3, 2), 4)], ids=["even", "uneven"])
def test_cross_entropy_rows(rng, reduction, chunks):
    logits = rng.normal(size=(13, 4))
    labels = rng.integers(0, 4, size=13)
    labels[[2, 9]] = -100  # ignored rows
    cw = np.array([0.5, 1.0, 2.0, 1.5])
    d = da.from_array(logits, chunks=chunks)
    value, grad = gd.cross_entropy(
        d, labels, class_weight=cw, label_smoothing=0.1, reduction=reduction, return_grad=True
    )
    ref, ref_grad = gilfree.cross_entropy(
        logits, labels, class_weight=cw, label_smoothing=0.1, reduction=reduction, return_grad=True
    )
    close(value.compute(), ref)
    close(grad.compute(), ref_grad)
    close(value.compute(), _torch_ce(logits, labels, cw, 0.1, reduction))
    value = gd.nll_loss(d, da.from_array(labels, chunks=(d.chunks[0],)), reduction=reduction)
    close(value.compute(), gilfree.nll_loss(logits, labels, reduction=reduction))


def test_cross_entropy_probabilities_and_sample_weight(rng):
    logits = rng.normal(size=(10, 3))
    probs = rng.dirichlet(np.ones(3), size=10)
    sw = rng.uniform(0.5, 2.0, size=10)
    d = da.from_array(logits, chunks=(3, 3))
    close(
        gd.cross_entropy(d, probs, sample_weight=sw).compute(),
        gilfree.cross_entropy(logits, probs, sample_weight=sw),
    )


def test_loss_is_lazy_and_grad_keeps_chunks(rng):
    x, y = _pair(rng, (40,), np.float32)
    dx = da.from_array(x, chunks=(9,))
    value, grad = gd.huber(dx, y, return_grad=True)
    assert isinstance(value, da.Array) and value.shape == () and value.dtype == np.float32
    assert grad.chunks == dx.chunks and grad.dtype == np.float32


def test_loss_errors(rng):
    x = da.ones((6, 4), chunks=(3, 4))
    with pytest.raises(ValueError, match="target: expected the chunks"):
        gd.mse(x, da.ones((6, 4), chunks=(2, 4)))
    with pytest.raises(ValueError, match="target: expected shape"):
        gd.mse(x, np.ones((5, 4)))
    with pytest.raises(ValueError, match="reduction"):
        gd.mse(x, np.ones((6, 4)), reduction="avg")
    with pytest.raises(ValueError, match="delta"):
        gd.huber(x, np.ones((6, 4)), delta=-1.0)
    with pytest.raises(TypeError, match="input"):
        gd.mse(da.ones(3, dtype=complex), np.ones(3))
    with pytest.raises(ValueError, match=r"input: cross_entropy needs the classes"):
        gd.cross_entropy(da.ones((6, 4), chunks=(3, 2)), np.zeros(6, np.int64))
    with pytest.raises(TypeError, match="threads_per_task"):
        gd.mse(x, np.ones((6, 4)), threads_per_task="2")
    with pytest.raises(TypeError):
        gd.mse(x, np.ones((6, 4)), nonsense=1)


# ------------------------------------------------------------------ convolution


@pytest.mark.parametrize("flip", [True, False], ids=["convolve2d", "correlate2d"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm"])
@pytest.mark.parametrize("kshape", [(3, 3), (4, 5), (6, 2)])
@pytest.mark.parametrize(
    "chunks", [(5, 7), ((2, 1, 9, 3), (1, 1, 2, 13)), (2, 3)], ids=["even", "uneven", "tiny"]
)
def test_conv2d_scipy_equals_in_memory(rng, flip, mode, boundary, kshape, chunks):
    img = rng.normal(size=(15, 17))
    k = rng.normal(size=kshape)
    fn = "convolve2d" if flip else "correlate2d"
    got = getattr(gd, fn)(da.from_array(img, chunks=chunks), k, mode, boundary, fillvalue=0.5)
    want = getattr(gilfree, fn)(img, k, mode, boundary, fillvalue=0.5)
    close(got.compute(), want)
    close(got.compute(), getattr(scipy.signal, fn)(img, k, mode, boundary, fillvalue=0.5))


def test_convolve2d_float32_7x7(rng):
    img = rng.normal(size=(64, 50)).astype(np.float32)
    k = rng.normal(size=(7, 7)).astype(np.float32)
    got = gd.convolve2d(da.from_array(img, chunks=(5, 17)), k, mode="same").compute()
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, gilfree.convolve2d(img, k, mode="same", method="direct"))


TORCH_CASES = [
    ({}, (2, 3, 1, 10)),
    ({"padding": 2}, (1, 3, 4, 5)),
    ({"padding": "same", "dilation": 2}, (3, 3, 2, 3)),
    ({"stride": 3, "padding": 1}, (2, 3, 5, 4)),
    ({"stride": 2, "dilation": 2, "groups": 3}, (1, 3, 3, 7)),
]


@pytest.mark.parametrize("kw, chunks", TORCH_CASES)
def test_conv2d_torch_equals_in_memory(rng, kw, chunks):
    x = rng.normal(size=(4, 3, 17, 19))
    w = rng.normal(size=(6, 3 // kw.get("groups", 1), 3, 4))
    b = rng.normal(size=6)
    got = gd.conv2d(da.from_array(x, chunks=chunks), w, b, method="direct", **kw)
    want = gilfree.conv2d(x, w, b, method="direct", **kw)
    close(got.compute(), want)
    torch = pytest.importorskip("torch")
    ref = torch.nn.functional.conv2d(
        torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), **kw
    ).numpy()
    close(got.compute(), ref)


@pytest.mark.parametrize("kw", [{}, {"padding": 3, "stride": 2}, {"padding": "same", "dilation": 3}])
def test_conv1d_equals_in_memory(rng, kw):
    x = rng.normal(size=(3, 2, 40))
    w = rng.normal(size=(4, 2, 5))
    for chunks, xin in (((1, 2, (3, 1, 30, 6)), x), ((2, (3, 1, 30, 6)), x[0])):
        got = gd.conv1d(da.from_array(xin, chunks=chunks), w, **kw)
        close(got.compute(), gilfree.conv1d(xin, w, **kw))


def test_conv_errors():
    x = da.ones((2, 4, 8, 8), chunks=(1, 2, 8, 8))
    with pytest.raises(ValueError, match="input: conv2d"):
        gd.conv2d(x, np.ones((1, 4, 3, 3)))
    with pytest.raises(ValueError, match="groups"):
        gd.conv2d(x.rechunk({1: -1}), np.ones((3, 4, 3, 3)), groups=2)
    with pytest.raises(TypeError, match="weight"):
        gd.conv2d(x.rechunk({1: -1}), da.ones((1, 4, 3, 3)))
    with pytest.raises(ValueError, match="input"):
        gd.conv2d(x.rechunk({1: -1}), np.ones((1, 4, 9, 9)))
    with pytest.raises(ValueError, match="boundary"):
        gd.convolve2d(da.ones((5, 5)), np.ones((2, 2)), boundary="reflect")
    with pytest.raises(ValueError, match="in2"):
        gd.convolve2d(da.ones((3, 3)), np.ones((4, 2)), mode="valid")


# ------------------------------------------------------------------ typed loops

RED_CHUNKS = [((3, 1, 5, 4), (6, 1)), (13, 7), (2, 3)]


@pytest.mark.parametrize(
    "name, kw",
    [
        ("sum", {}),
        ("mean", {}),
        ("var", {}),
        ("var", {"ddof": 1}),
        ("std", {"ddof": 1}),
        ("min", {}),
        ("max", {}),
        ("argmin", {}),
        ("argmax", {}),
        ("logsumexp", {}),
        ("norm", {"ord": 1}),
        ("norm", {"ord": 2}),
        ("norm", {"ord": np.inf}),
    ],
)
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32])
@pytest.mark.parametrize("chunks", RED_CHUNKS, ids=["uneven", "one", "small"])
def test_reductions_equal_in_memory(rng, name, kw, axis, keepdims, dtype, chunks):
    x = (rng.normal(size=(13, 7)) * 50 + 1e3).astype(dtype)
    if name == "norm" and axis is None and kw["ord"] == 2:  # NumPy's 2-norm of a matrix needs an SVD
        with pytest.raises(ValueError, match="ord: .*matrix norm"):
            gilfree.norm(x, axis=axis, keepdims=keepdims, **kw)
        with pytest.raises(ValueError, match="ord: .*matrix norm"):
            gd.norm(da.from_array(x, chunks=chunks), axis=axis, keepdims=keepdims, **kw)
        kw = {}  # ord=None: the flattened 2-norm
    got = getattr(gd, name)(da.from_array(x, chunks=chunks), axis=axis, keepdims=keepdims, **kw).compute()
    want = getattr(gilfree, name)(x, axis=axis, keepdims=keepdims, **kw)
    close(got, want, np.float32 if dtype == np.float32 else np.float64)


@pytest.mark.parametrize("ord", [None, 0, 1, 2, 3, 0.5, -1, -np.inf, np.inf])
@pytest.mark.parametrize("axis", [0, 1])
def test_norm_vector_ords_merge_by_blocks(rng, ord, axis):
    x = rng.normal(size=(13, 7))
    x[3, 2] = 0.0
    got = gd.norm(da.from_array(x, chunks=(4, 3)), ord=ord, axis=axis).compute()
    close(got, np.linalg.norm(x, ord=ord, axis=axis))


@pytest.mark.parametrize("ord", [1, -1, np.inf, -np.inf, "fro"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_matrix_norms_of_a_2d_array(rng, ord, keepdims):
    x = rng.normal(size=(13, 7))
    got = gd.norm(da.from_array(x, chunks=(4, 3)), ord=ord, keepdims=keepdims).compute()
    want = np.linalg.norm(x, ord=ord, keepdims=keepdims)
    assert np.shape(got) == np.shape(want)
    close(got, want)


def test_reductions_nan_and_inf():
    x = np.array([[1.0, np.nan, 3.0], [-np.inf, 2.0, np.inf]])
    d = da.from_array(x, chunks=1)
    for name in ("min", "max", "argmin", "argmax", "logsumexp", "sum"):
        close(getattr(gd, name)(d, axis=1).compute(), getattr(gilfree, name)(x, axis=1))
    close(gd.argmax(d).compute(), np.argmax(x))


def test_sqdist_broadcast(rng):
    a, b = rng.normal(size=(9, 5)), rng.normal(size=5)
    got = gd.sqdist(da.from_array(a, chunks=(4, 2)), b, axis=1, keepdims=True)
    close(got.compute(), gilfree.sqdist(a, b, axis=1, keepdims=True))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("rng_arg", [None, (0.0, 50.0)])
def test_histogram(rng, dtype, rng_arg):
    x = (rng.normal(size=(30, 11)) * 20 + 20).astype(dtype)
    counts, edges = gd.histogram(da.from_array(x, chunks=(7, 4)), bins=13, range=rng_arg)
    ref_counts, ref_edges = np.histogram(x, bins=13, range=rng_arg)
    np.testing.assert_array_equal(counts.compute(), ref_counts)
    want_edges = gilfree.histogram(x, bins=13, range=rng_arg)[1]
    np.testing.assert_array_equal(edges.compute(), want_edges)
    assert edges.dtype == want_edges.dtype


def test_elementwise_kernels(rng):
    x = rng.normal(size=(8, 6))
    y = rng.normal(size=6)
    dx = da.from_array(x, chunks=(3, 4))
    close(gd.axpy(1.5, dx, y).compute(), gilfree.axpy(1.5, x, y))
    close(gd.clip(dx, -0.5, 0.5).compute(), np.clip(x, -0.5, 0.5))
    xi = (x * 10).astype(np.int32)
    got = gd.clip(da.from_array(xi, chunks=3), 0, np.int64(5)).compute()
    close(got, np.clip(xi, 0, np.int64(5)))
    close(gd.softmax(dx.rechunk({1: -1}), axis=1).compute(), gilfree.softmax(x, axis=1))
    close(gd.softmax(dx.rechunk({0: -1}), axis=0).compute(), gilfree.softmax(x, axis=0))
    close(gd.cumsum(dx.rechunk({0: -1}), axis=0).compute(), np.cumsum(x, axis=0))
    close(gd.cumsum(da.from_array(x)).compute(), np.cumsum(x))


def test_elementwise_errors():
    x = da.ones((8, 6), chunks=(3, 4))
    with pytest.raises(ValueError, match=r"axis: softmax needs axis 1 in one chunk.*rechunk"):
        gd.softmax(x, axis=1)
    with pytest.raises(ValueError, match=r"axis: cumsum needs axis 0 in one chunk.*rechunk"):
        gd.cumsum(x, axis=0)
    with pytest.raises(ValueError, match="axis"):
        gd.cumsum(x)
    with pytest.raises(ValueError, match="y: expected the chunks"):
        gd.axpy(1.0, x, da.ones((8, 6), chunks=4))
    with pytest.raises(np.exceptions.AxisError):
        gd.sum(x, axis=2)
    with pytest.raises(ValueError, match="ord"):
        gd.norm(x, ord=3)


# ------------------------------------------------------------------ threads, docs, import


def test_threads_per_task_gives_same_bits(rng):
    x = rng.normal(size=(300, 400))
    d = da.from_array(x, chunks=(100, 150))
    k = rng.normal(size=(5, 5))
    one = gd.convolve2d(d, k, mode="same", threads_per_task=1).compute()
    two = gd.convolve2d(d, k, mode="same", threads_per_task=2).compute()
    pool = gd.convolve2d(d, k, mode="same", threads_per_task=None).compute()
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(one, pool)


def test_task_uses_one_thread_by_default(monkeypatch):
    from gilfree import _dask_common

    seen = []
    monkeypatch.setattr(_dask_common, "_distributed_task", lambda: None)
    fn = _dask_common.task(lambda b: seen.append(gilfree.get_num_threads()) or b, 1)
    da.ones(4, chunks=2).map_blocks(fn, dtype=float).compute()
    fn = _dask_common.task(lambda b: seen.append(gilfree.get_num_threads()) or b, None)
    da.ones(4, chunks=2).map_blocks(fn, dtype=float).compute()
    assert seen[:2] == [1, 1] and seen[2:] == [gilfree.get_num_threads()] * 2


def test_docstring_examples():
    result = doctest.testmod(gd, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 30 and result.failed == 0
    for name in gd.__all__:
        assert ">>>" in getattr(gd, name).__doc__, name


def test_gilfree_does_not_import_dask_and_missing_dask_is_a_clear_error():
    code = (
        "import sys; import gilfree; assert 'gilfree.dask' not in sys.modules and 'dask' not in sys.modules\n"
        "sys.modules['dask'] = None; sys.modules['dask.array'] = None\n"
        "try:\n    import gilfree.dask\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert "pip install gilfree[dask]" in out.stdout


@pytest.mark.parametrize("boundary", ["wrap", "symm"])
@pytest.mark.parametrize("shape", [(4, 5), (6, 6), (3, 40)])
def test_conv2d_scipy_kernel_larger_than_image(rng, boundary, shape):
    """ "full" mode pads by the kernel size minus one, here more than the image:
    the padding repeats the image as scipy does (dask.array.pad does not)."""
    img, k = rng.normal(size=shape), rng.normal(size=(7, 6))
    for fn in ("convolve2d", "correlate2d"):
        got = getattr(gd, fn)(da.from_array(img, chunks=2), k, "full", boundary).compute()
        close(got, getattr(scipy.signal, fn)(img, k, "full", boundary))
