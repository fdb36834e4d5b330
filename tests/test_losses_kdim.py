"""K-dimensional cross_entropy and nll_loss (issue #11): (N, C, d1, ..., dk) input
against torch.nn.functional (values and autograd gradients), any strides, the
"none" shape, sample weights, the same bits for any thread count, the errors."""

import asyncio

import gilfree
import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

SHAPES = {1: (3, 5, 7), 2: (2, 4, 3, 5), 3: (2, 3, 2, 3, 4)}  # K: (N, C, d1, ..., dk)
TOL = {np.float64: {"rtol": 1e-12, "atol": 1e-15}, np.float32: {"rtol": 2e-5, "atol": 1e-6}}

# cross_entropy options: (kind of target, torch/gilfree keywords besides the class weight, weighted)
CE_CASES = {
    "plain": ("index", {}, False),
    "weights+ignore": ("index", {"ignore_index": 1}, True),
    "smoothing": ("index", {"label_smoothing": 0.2}, False),
    "smoothing+weights+ignore": ("index", {"label_smoothing": 0.3, "ignore_index": 2}, True),
    "prob": ("prob", {}, False),
    "prob+smoothing+weights": ("prob", {"label_smoothing": 0.15}, True),
}


def class_targets(rng, shape, c, ignore_index=None):
    """(N, d1, ..., dk) class indices, some of them ignore_index."""
    t = rng.integers(0, c, size=shape[:1] + shape[2:])
    if ignore_index is not None:
        t.reshape(-1)[::5] = ignore_index
    return t


def prob_targets(rng, shape):
    """Probabilities along axis 1 of `shape`."""
    p = rng.dirichlet(np.ones(shape[1]), size=shape[:1] + shape[2:])  # (N, d..., C)
    return np.moveaxis(p, -1, 1)


def torch_ref(fn, x, t, reduction, cw=None, **kw):
    """torch's value and autograd gradient (of the value's sum for "none"), in float64, on
    contiguous copies (torch 2.x's nll_loss2d backward rejects a non-contiguous input)."""
    xt = torch.from_numpy(np.array(x, dtype=np.float64, order="C")).requires_grad_(True)
    tt = torch.from_numpy(np.array(t, dtype=np.float64 if t.dtype.kind == "f" else np.int64, order="C"))
    weight = None if cw is None else torch.from_numpy(cw)
    out = fn(xt, tt, reduction=reduction, weight=weight, **kw)
    out.sum().backward()
    return out.detach().numpy(), xt.grad.numpy()


def check(got, want, dtype):
    v, g = got
    wv, wg = want
    assert np.asarray(v).dtype == dtype and g.dtype == dtype
    assert np.shape(v) == np.shape(wv) and g.shape == wg.shape
    np.testing.assert_allclose(v, wv, **TOL[dtype])
    np.testing.assert_allclose(g, wg, **TOL[dtype])


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", sorted(CE_CASES))
def test_cross_entropy_matches_torch(k, dtype, reduction, case, rng):
    shape = SHAPES[k]
    kind, kw, weighted = CE_CASES[case]
    x = (3 * rng.normal(size=shape)).astype(dtype)
    t = (
        class_targets(rng, shape, shape[1], kw.get("ignore_index"))
        if kind == "index"
        else prob_targets(rng, shape)
    )
    t = t if kind == "index" else t.astype(dtype)
    cw = rng.uniform(0.2, 3.0, size=shape[1]) if weighted else None
    want = torch_ref(F.cross_entropy, x, t, reduction, cw, **kw)
    got = gilfree.cross_entropy(x, t, reduction=reduction, class_weight=cw, return_grad=True, **kw)
    check(got, want, dtype)
    if reduction == "none":
        assert got[0].shape == shape[:1] + shape[2:]


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_matches_torch(k, dtype, reduction, weighted, rng):
    shape = SHAPES[k]
    logp = np.log(prob_targets(rng, shape)).astype(dtype)
    t = class_targets(rng, shape, shape[1], 0 if weighted else None)
    cw = rng.uniform(0.2, 3.0, size=shape[1]) if weighted else None
    kw = {"ignore_index": 0} if weighted else {}
    want = torch_ref(F.nll_loss, logp, t, reduction, cw, **kw)
    got = gilfree.nll_loss(logp, t, reduction=reduction, class_weight=cw, return_grad=True, **kw)
    check(got, want, dtype)


def strided_views(rng, shape):
    """Non-contiguous (N, C, d1, ..., dk) views of `shape`: channels-last (the d axes still
    merge into one), every other element of a longer last axis (they do not), and reversed
    classes (a negative class stride)."""
    n, c, *d = shape
    last = np.moveaxis(rng.normal(size=(n, *d, c)), -1, 1)
    sliced = rng.normal(size=(n, c, *d[:-1], 2 * d[-1]))[..., ::2]
    flipped = rng.normal(size=shape)[:, ::-1]
    return {"channels-last": last, "sliced": sliced, "reversed classes": flipped}


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("layout", ["channels-last", "sliced", "reversed classes"])
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_non_contiguous_input_matches_torch(k, layout, reduction, rng):
    shape = SHAPES[k]
    x = strided_views(rng, shape)[layout]
    assert x.shape == shape and not x.flags.c_contiguous
    cw = rng.uniform(0.5, 2.0, size=shape[1])
    t = class_targets(rng, shape, shape[1], -100)[..., ::-1]  # a strided target too
    kw = {"label_smoothing": 0.1}
    want = torch_ref(F.cross_entropy, x, t, reduction, cw, **kw)
    check(
        gilfree.cross_entropy(x, t, reduction=reduction, class_weight=cw, return_grad=True, **kw),
        want,
        np.float64,
    )
    p = strided_views_like(prob_targets(rng, shape), layout)
    want = torch_ref(F.cross_entropy, x, p, reduction)
    check(gilfree.cross_entropy(x, p, reduction=reduction, return_grad=True), want, np.float64)
    want = torch_ref(F.nll_loss, x, t, reduction, cw)
    check(gilfree.nll_loss(x, t, reduction=reduction, class_weight=cw, return_grad=True), want, np.float64)


def strided_views_like(a, layout):
    """A view of `layout`'s kind holding a's values."""
    if layout == "channels-last":
        return np.moveaxis(np.ascontiguousarray(np.moveaxis(a, 1, -1)), -1, 1)
    if layout == "sliced":
        buf = np.zeros(a.shape[:-1] + (2 * a.shape[-1],))
        buf[..., ::2] = a
        return buf[..., ::2]
    return np.ascontiguousarray(a[:, ::-1])[:, ::-1]


def test_channels_last_view_is_not_copied():
    """The contiguous and channels-last layouts reach the kernel as views: the (N, C, D)
    view the kernel gets shares the input's memory (checked on the layout function)."""
    from gilfree._losses_rows import _as_rows

    x = np.zeros((2, 3, 4, 5))
    for view in (x, np.moveaxis(np.zeros((2, 4, 5, 3)), -1, 1)):
        rows, lead = _as_rows(view)
        assert rows.shape == (2, 3, 20) and lead == (2, 4, 5)
        assert np.shares_memory(rows, view)


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("targets", ["index", "prob"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_sample_weight_per_position(k, targets, reduction, rng):
    """sample_weight has target's (N, d1, ..., dk) shape: a weight per position; "mean" is
    sum(w * l) / sum(w * class_weight[t]) over the non-ignored positions (index targets) or
    sum(w * l) / sum(w) (probabilities). Reference: torch's unreduced losses, weighted in torch."""
    shape = SHAPES[k]
    x = 2 * rng.normal(size=shape)
    cw = rng.uniform(0.5, 2.0, size=shape[1])
    w = rng.uniform(0.1, 2.0, size=shape[:1] + shape[2:])
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    wt = torch.from_numpy(w)
    if targets == "index":
        t = class_targets(rng, shape, shape[1], -100)
        tt = torch.from_numpy(t)
        per = F.cross_entropy(xt, tt, weight=torch.from_numpy(cw), reduction="none")
        keep = torch.from_numpy((t != -100) * cw[np.where(t == -100, 0, t)])
        denom = (wt * keep).sum()
    else:
        t = prob_targets(rng, shape)
        per = F.cross_entropy(xt, torch.from_numpy(t), weight=torch.from_numpy(cw), reduction="none")
        denom = wt.sum()
    ref = {"none": wt * per, "sum": (wt * per).sum(), "mean": (wt * per).sum() / denom}[reduction]
    ref.sum().backward()
    v, g = gilfree.cross_entropy(
        x, t, sample_weight=w, class_weight=cw, reduction=reduction, return_grad=True
    )
    np.testing.assert_allclose(v, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(g, xt.grad.numpy(), rtol=1e-12, atol=1e-16)


def test_unbatched_input_matches_torch(rng):
    """(C,) input: a class index of shape () or probabilities of shape (C,), as torch allows."""
    z = 3 * rng.normal(size=6)
    cw = rng.uniform(0.5, 2.0, size=6)
    for t in (np.array(4), rng.dirichlet(np.ones(6))):
        for reduction in ("mean", "sum", "none"):
            want = torch_ref(F.cross_entropy, z, t, reduction, cw, label_smoothing=0.1)
            got = gilfree.cross_entropy(
                z, t, reduction=reduction, class_weight=cw, label_smoothing=0.1, return_grad=True
            )
            check(got, want, np.float64)
    want = torch_ref(F.nll_loss, z, np.array(2), "none", cw)
    check(
        gilfree.nll_loss(z, np.array(2), reduction="none", class_weight=cw, return_grad=True),
        want,
        np.float64,
    )


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
def test_same_bits_for_any_thread_count_and_layout(name, rng):
    """Many chunks of rows: the value, the losses and the gradient are bitwise equal on 1,
    2 and 4 threads, and for the contiguous and channels-last layouts of the same values."""
    n, c, h, w = 3, 11, 40, 50
    x = rng.normal(size=(n, c, h, w))
    t = rng.integers(0, c, size=(n, h, w))
    t[0, ::3] = -100
    last = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1)
    fn = getattr(gilfree, name)
    kw = {"class_weight": rng.uniform(0.5, 2.0, size=c)}
    results = []
    for threads, arr in ((1, x), (2, x), (4, x), (4, last), (1, last)):
        with gilfree.threads(threads):
            v, g = fn(arr, t, return_grad=True, **kw)
            per = fn(arr, t, reduction="none", **kw)
        results.append((v, g, per))
    v0, g0, p0 = results[0]
    for v, g, per in results[1:]:
        assert v.tobytes() == v0.tobytes()
        assert np.array_equal(g, g0) and np.array_equal(per, p0)


def test_awaitable_twin_takes_kdim_input(rng):
    x = rng.normal(size=(2, 3, 4))
    t = rng.integers(0, 3, size=(2, 4))
    want, _ = torch_ref(F.cross_entropy, x, t, "none")
    got = asyncio.run(gilfree.aio.cross_entropy(x, t, reduction="none"))
    np.testing.assert_allclose(got, want, rtol=1e-12)


X3 = np.zeros((2, 3, 4))
T3 = np.zeros((2, 4), dtype=np.int64)

ERRORS = [
    (
        "index target without the d axes",
        gilfree.cross_entropy,
        (X3, np.zeros(2, int)),
        {},
        ValueError,
        "target",
    ),
    (
        "index target of input's shape",
        gilfree.nll_loss,
        (X3, np.zeros((2, 3, 4), int)),
        {},
        ValueError,
        "target",
    ),
    ("index target transposed", gilfree.cross_entropy, (X3, np.zeros((4, 2), int)), {}, ValueError, "target"),
    (
        "prob target wrong shape",
        gilfree.cross_entropy,
        (X3, np.full((2, 4, 3), 1 / 3)),
        {},
        ValueError,
        "target",
    ),
    (
        "prob target of the index shape",
        gilfree.cross_entropy,
        (X3, np.zeros((2, 4))),
        {},
        ValueError,
        "target",
    ),
    ("prob target for nll_loss", gilfree.nll_loss, (X3, np.full((2, 3, 4), 1 / 3)), {}, TypeError, "target"),
    ("prob outside [0, 1]", gilfree.cross_entropy, (X3, np.full((2, 3, 4), 1.5)), {}, ValueError, "target"),
    ("class index too large", gilfree.cross_entropy, (X3, T3 + 3), {}, ValueError, "target"),
    ("negative class index", gilfree.nll_loss, (X3, T3 - 1), {}, ValueError, "target"),
    ("bool target", gilfree.nll_loss, (X3, T3 > 0), {}, TypeError, "target"),
    (
        "sample_weight per row",
        gilfree.cross_entropy,
        (X3, T3),
        {"sample_weight": np.ones(2)},
        ValueError,
        "sample_weight",
    ),
    (
        "sample_weight of input's shape",
        gilfree.nll_loss,
        (X3, T3),
        {"sample_weight": np.ones((2, 3, 4))},
        ValueError,
        "sample_weight",
    ),
    (
        "class_weight per position",
        gilfree.cross_entropy,
        (X3, T3),
        {"class_weight": np.ones(4)},
        ValueError,
        "class_weight",
    ),
    (
        "empty d axis",
        gilfree.cross_entropy,
        (np.zeros((2, 3, 0)), np.zeros((2, 0), int)),
        {},
        ValueError,
        "input",
    ),
    ("no classes", gilfree.nll_loss, (np.zeros((2, 0, 4)), T3), {}, ValueError, "input"),
    ("0-d input", gilfree.cross_entropy, (np.float64(1.0), np.array(0)), {}, ValueError, "input"),
    ("complex input", gilfree.cross_entropy, (X3 + 0j, T3), {}, TypeError, "input"),
    ("bad reduction", gilfree.nll_loss, (X3, T3), {"reduction": "max"}, ValueError, "reduction"),
]


@pytest.mark.parametrize(
    ("fn", "args", "kw", "exc", "needle"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_errors_name_the_argument(fn, args, kw, exc, needle):
    with pytest.raises(exc, match=needle):
        fn(*args, **kw)
