"""Every loss against an independent NumPy formula: both dtypes, every
reduction, weighted and not, contiguous and strided views."""

import gilfree
import loss_reference as ref
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ELEMENTWISE = {
    "mse": {},
    "mae": {},
    "huber": {"delta": 0.7},
    "smooth_l1": {"beta": 0.6},
    "log_cosh": {},
    "pinball": {"quantile": 0.3},
    "poisson_nll": {},
    "binary_cross_entropy": {},
    "binary_cross_entropy_with_logits": {},
    "kl_div": {},
    "hinge": {},
    "squared_hinge": {},
}


def draw_inputs(name, rng, shape, dtype):
    x = rng.normal(size=shape)
    y = rng.normal(size=shape)
    if name == "binary_cross_entropy":
        x = rng.uniform(0.001, 0.999, size=shape)
        y = rng.uniform(0, 1, size=shape)
    elif name == "binary_cross_entropy_with_logits":
        y = rng.uniform(0, 1, size=shape)
    elif name == "kl_div":
        x = np.log(rng.uniform(0.01, 1, size=shape))
        y = rng.uniform(0, 1, size=shape)
        y.flat[0] = 0.0  # xlogy(0, 0) = 0
    elif name in ("hinge", "squared_hinge"):
        y = np.sign(y)
    elif name == "poisson_nll":
        y = rng.poisson(2.0, size=shape).astype(np.float64)
    return x.astype(dtype), y.astype(dtype)


def tolerance(dtype):
    return {"rtol": 1e-12, "atol": 1e-14} if dtype == np.float64 else {"rtol": 2e-6, "atol": 1e-7}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("layout", ["contiguous", "strided"])
def test_elementwise_against_numpy(name, dtype, reduction, weighted, layout, rng):
    params = ELEMENTWISE[name]
    x, y = draw_inputs(name, rng, (13, 9), dtype)
    w = rng.uniform(0.1, 2.0, size=x.shape).astype(dtype) if weighted else None
    if layout == "strided":  # non-contiguous views: transposed and every other column
        x, y = x.T[::2], y.T[::2]
        w = None if w is None else w.T[::2]
        assert not x.flags.c_contiguous
    want_v, want_g = ref.reduce(
        *ref.elementwise(name, x, y, **params), reduction, None if w is None else w.astype(np.float64)
    )
    fn = getattr(gilfree, name)
    value, grad = fn(x, y, sample_weight=w, reduction=reduction, return_grad=True, **params)
    assert np.asarray(value).dtype == dtype
    assert grad.dtype == dtype and grad.shape == x.shape
    np.testing.assert_allclose(value, want_v, **tolerance(dtype))
    np.testing.assert_allclose(grad, want_g, **tolerance(dtype))
    # value alone equals the value of the fused call
    alone = fn(x, y, sample_weight=w, reduction=reduction, **params)
    np.testing.assert_array_equal(alone, value)


@pytest.mark.parametrize(
    "params", [{"log_input": False}, {"full": True}, {"log_input": False, "full": True, "eps": 1e-3}]
)
def test_poisson_options(params, rng):
    x = rng.uniform(0.1, 3, size=50)
    y = rng.poisson(3.0, size=50).astype(float)
    want_v, want_g = ref.reduce(*ref.elementwise("poisson_nll", x, y, **params), "mean")
    v, g = gilfree.poisson_nll(x, y, return_grad=True, **params)
    np.testing.assert_allclose(v, want_v, rtol=1e-12)
    np.testing.assert_allclose(g, want_g, rtol=1e-12, atol=1e-15)


def test_kl_div_log_target_and_batchmean(rng):
    x = np.log(rng.dirichlet(np.ones(5), size=8))
    y = np.log(rng.dirichlet(np.ones(5), size=8))
    want_v, want_g = ref.reduce(*ref.elementwise("kl_div", x, y, log_target=True), "batchmean", batch=8)
    v, g = gilfree.kl_div(x, y, log_target=True, reduction="batchmean", return_grad=True)
    np.testing.assert_allclose(v, want_v, rtol=1e-12)
    np.testing.assert_allclose(g, want_g, rtol=1e-12)


def test_pos_weight_broadcasts_over_last_axis(rng):
    x = rng.normal(size=(20, 4))
    y = rng.uniform(size=(20, 4))
    pw = np.array([0.5, 1.0, 2.0, 3.0])
    want_v, want_g = ref.reduce(
        *ref.elementwise("binary_cross_entropy_with_logits", x, y, pos_weight=pw), "mean"
    )
    v, g = gilfree.binary_cross_entropy_with_logits(x, y, pos_weight=pw, return_grad=True)
    np.testing.assert_allclose(v, want_v, rtol=1e-12)
    np.testing.assert_allclose(g, want_g, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("targets", ["index", "prob"])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"class_weight": "random"},
        {"label_smoothing": 0.15},
        {"class_weight": "random", "label_smoothing": 0.3, "sample_weight": "random"},
    ],
)
def test_cross_entropy_against_numpy(dtype, reduction, targets, options, rng):
    n, c = 17, 6
    z = (3 * rng.normal(size=(n, c))).astype(dtype)
    if targets == "index":
        t = rng.integers(0, c, size=n)
        t[[2, 7]] = -100  # ignored rows
    else:
        t = rng.dirichlet(np.ones(c), size=n).astype(dtype)
    kw = dict(options)
    if kw.get("class_weight") == "random":
        kw["class_weight"] = rng.uniform(0.2, 2, size=c)
    if kw.get("sample_weight") == "random":
        kw["sample_weight"] = rng.uniform(0.2, 2, size=n).astype(dtype)
    want_v, want_g = ref.cross_entropy(z, t, reduction=reduction, **kw)
    v, g = gilfree.cross_entropy(z, t, reduction=reduction, return_grad=True, **kw)
    np.testing.assert_allclose(v, want_v, **tolerance(dtype))
    np.testing.assert_allclose(g, want_g, **tolerance(dtype))


def test_cross_entropy_unbatched_and_strided(rng):
    z = rng.normal(size=(6, 10))
    v, g = gilfree.cross_entropy(z[2], np.int64(4), return_grad=True)
    want_v, want_g = ref.cross_entropy(z[2], np.array([4]))
    assert g.shape == (10,)
    np.testing.assert_allclose(v, want_v, rtol=1e-13)
    np.testing.assert_allclose(g, want_g[0], rtol=1e-13, atol=1e-16)
    zt = z.T[::2]  # (5, 6) strided both ways
    t = np.array([0, 5, 3, 1, 2])
    np.testing.assert_allclose(
        gilfree.cross_entropy(zt, t, reduction="none"),
        ref.cross_entropy(zt, t, reduction="none")[0],
        rtol=1e-13,
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_against_numpy(dtype, reduction, weighted, rng):
    n, c = 15, 4
    lp = ref.log_softmax(rng.normal(size=(n, c))).astype(dtype)
    t = rng.integers(0, c, size=n)
    t[3] = -100
    kw = {"class_weight": rng.uniform(0.5, 2, size=c)} if weighted else {}
    want_v, want_g = ref.nll_loss(lp, t, reduction=reduction, **kw)
    v, g = gilfree.nll_loss(lp, t, reduction=reduction, return_grad=True, **kw)
    np.testing.assert_allclose(v, want_v, **tolerance(dtype))
    np.testing.assert_allclose(g, want_g, **tolerance(dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("d", [None, 5])
def test_nll_loss_batches_and_options_agree(dtype, d, rng):
    # rows in many batches of the gather, in three chunks (the last a partial
    # batch); the per-option code of each call (plain, gradient, weights, per-row
    # output) against a formula on the picked elements, and against each other,
    # for 1 and 2 threads
    n, c, ign = 2 * 32768 + 45, 7, 3  # an ignore_index that is a valid class
    shape = (n, c) if d is None else (n // d, c, d)
    x = -np.abs(rng.normal(size=shape)).astype(dtype)  # log-probabilities: no cancelling sum
    t = rng.integers(0, c, size=(shape[0],) + shape[2:])
    rows = np.moveaxis(x, 1, -1).reshape(-1, c)  # row i = (i // d, :, i % d)
    tf = t.reshape(-1)
    keep = tf != ign
    picked = rows[np.arange(tf.size), tf].astype(np.float64)
    per_row = np.where(keep, -picked, 0.0).astype(dtype)
    plain = gilfree.nll_loss(x, t, reduction="sum", ignore_index=ign)
    np.testing.assert_allclose(plain, -np.sum(picked[keep]), **tolerance(dtype))
    v, g = gilfree.nll_loss(x, t, reduction="sum", ignore_index=ign, return_grad=True)
    want_g = np.zeros_like(rows)
    want_g[np.flatnonzero(keep), tf[keep]] = -1
    assert v == plain
    np.testing.assert_array_equal(np.moveaxis(g, 1, -1).reshape(-1, c), want_g)
    assert gilfree.nll_loss(x, t, reduction="sum", ignore_index=ign, class_weight=np.ones(c)) == plain
    np.testing.assert_array_equal(gilfree.nll_loss(x, t, reduction="none", ignore_index=ign).reshape(-1), per_row)
    np.testing.assert_allclose(gilfree.nll_loss(x, t, ignore_index=ign), plain / keep.sum(), **tolerance(dtype))
    # weights that differ from row to row and class to class, with the gradient and the per-row losses
    cw, sw = rng.uniform(0.5, 2.0, size=c), rng.uniform(0.5, 2.0, size=t.shape).astype(dtype)
    swf = sw.reshape(-1).astype(np.float64)  # one weight per row, in target's shape
    wt = np.where(keep, swf * cw[tf], 0.0)
    for k in (1, 2):
        with gilfree.threads(k):
            out, g = gilfree.nll_loss(
                x, t, reduction="none", ignore_index=ign, class_weight=cw, sample_weight=sw, return_grad=True
            )
            got = gilfree.nll_loss(x, t, reduction="sum", ignore_index=ign, class_weight=cw, sample_weight=sw)
        np.testing.assert_allclose(out.reshape(-1), -wt * picked, **tolerance(dtype))
        want_g[:] = 0
        want_g[np.flatnonzero(keep), tf[keep]] = -wt[keep]
        np.testing.assert_allclose(np.moveaxis(g, 1, -1).reshape(-1, c), want_g, **tolerance(dtype))
        np.testing.assert_allclose(got, np.sum(-wt * picked), **tolerance(dtype))
        if k == 1:
            first = got
        assert got == first


@settings(max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(1, 6), min_size=0, max_size=4),
    step=st.integers(1, 3),
    transpose=st.booleans(),
    name=st.sampled_from(sorted(ELEMENTWISE)),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_shape_and_strides(shape, step, transpose, name, seed):
    rng = np.random.default_rng(seed)
    big = [s * step for s in shape]
    x, y = draw_inputs(name, rng, big, np.float64)
    sl = tuple(slice(None, None, step) for _ in shape)
    x, y = x[sl], y[sl]
    if transpose:
        x, y = x.T, y.T
    params = ELEMENTWISE[name]
    want_v, want_g = ref.reduce(*ref.elementwise(name, x, y, **params), "sum")
    v, g = getattr(gilfree, name)(x, y, reduction="sum", return_grad=True, **params)
    np.testing.assert_allclose(v, want_v, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g, want_g, rtol=1e-12, atol=1e-14)


def test_integer_and_list_inputs_become_float64():
    v = gilfree.mse([1, 2, 3], np.array([1, 2, 5], dtype=np.int32))
    assert isinstance(v, np.float64)
    assert v == pytest.approx(4 / 3, rel=1e-15)


def test_readonly_and_broadcast_inputs(rng):
    x = rng.normal(size=100)
    x.setflags(write=False)
    y = np.broadcast_to(np.float64(0.25), (100,))
    want = np.mean((x - 0.25) ** 2)
    assert gilfree.mse(x, y) == pytest.approx(want, rel=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_hard_targets_same_bits_as_soft_path(dtype, rng):
    """Blocks whose targets are all 0 or 1 take a one-log path; a block with one
    soft target takes the general two-log formula. Elements computed both ways
    agree bit for bit, and both match the textbook formula."""
    n = 2048
    x = rng.uniform(0.0, 1.0, n).astype(dtype)
    x[:4] = [0.0, 1.0, 1e-300 if dtype == np.float64 else 1e-40, 0.5]
    y = rng.integers(0, 2, n).astype(dtype)
    hard = gilfree.binary_cross_entropy(x, y, reduction="none")
    y_soft = y.copy()
    y_soft[::256] = 0.5  # one soft target in every block of 256 elements
    soft = gilfree.binary_cross_entropy(x, y_soft, reduction="none")
    keep = np.ones(n, bool)
    keep[::256] = False
    np.testing.assert_array_equal(hard[keep], soft[keep])
    xd, yd = x.astype(np.float64), y.astype(np.float64)
    with np.errstate(divide="ignore"):
        want = -(yd * np.maximum(np.log(xd), -100) + (1 - yd) * np.maximum(np.log1p(-xd), -100))
    np.testing.assert_allclose(hard, want.astype(dtype), rtol=4e-16 if dtype == np.float64 else 2e-7)


def _signum(d):
    return np.where(d > 0, 1.0, np.where(d < 0, -1.0, d * 0.0))  # NaN and the sign of zero kept


# d value / d input of the losses computed elementwise in one fused pass
# (losses_ops.hpp's pointwise losses), written out in float64 in the kernels' order
POINTWISE_GRADIENTS = {
    "mse": lambda x, y, p: 2.0 * (x - y),
    "mae": lambda x, y, p: _signum(x - y),
    "huber": lambda x, y, p: np.where(np.abs(x - y) < p["delta"], x - y, p["delta"] * _signum(x - y)),
    "smooth_l1": lambda x, y, p: np.where(np.abs(x - y) < p["beta"], (x - y) / p["beta"], _signum(x - y)),
    "pinball": lambda x, y, p: np.where(y - x >= 0, -p["quantile"], 1.0 - p["quantile"]),
    "hinge": lambda x, y, p: np.where(1.0 - y * x > 0, -y, 0.0),
    "squared_hinge": lambda x, y, p: np.where(1.0 - y * x > 0, (-2.0 * y) * (1.0 - y * x), 0.0),
}


@pytest.mark.parametrize("name", sorted(POINTWISE_GRADIENTS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
# 40 chunks of 2**15 and a tail: a contiguous run read two chunks at once, the tail
# alone; 39 and a tail: the last group reaches the partial chunk, read chunk by chunk
@pytest.mark.parametrize("n", [1, 15, 16, 17, 255, 257, 1000, 39 * 32768 + 1001, 40 * 32768 + 1001])
def test_pointwise_paths_agree_bit_for_bit(name, dtype, n, rng):
    """A pointwise loss runs in one of three ways: a fused pass over contiguous operands
    (float32 converted on the fly; a long one two chunks at once), a fused pass over
    converted blocks (strided operands) and the block path (weights). Their values and gradients agree bit for
    bit, the gradient equals its formula evaluated in float64 exactly, NaN, infinities
    and signed zeros included, and the value matches the float64 sum to rounding."""
    params = ELEMENTWISE[name]
    x, y = draw_inputs(name, rng, (n,), np.float64)
    special = [np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-300, 0.5, -2.0]
    k = min(n, len(special))
    x[:k], y[:k] = special[:k], np.roll(special, 3)[:k]
    if name in ("hinge", "squared_hinge"):
        y[:k] = np.where(np.isnan(y[:k]), 1.0, np.sign(y[:k]))
    x, y = x.astype(dtype), y.astype(dtype)
    fn = getattr(gilfree, name)
    with np.errstate(all="ignore"):
        v, g = fn(x, y, reduction="sum", return_grad=True, **params)
        xs, ys = np.empty(2 * n, dtype)[::2], np.empty(3 * n, dtype)[::3]
        xs[...], ys[...] = x, y
        vs, gs = fn(xs, ys, reduction="sum", return_grad=True, **params)
        vw, gw = fn(x, y, sample_weight=np.ones(n, dtype), reduction="sum", return_grad=True, **params)
        want_g = POINTWISE_GRADIENTS[name](x.astype(np.float64), y.astype(np.float64), params).astype(dtype)
        elems = fn(x, y, reduction="none", **params)
    np.testing.assert_array_equal(vs, v)
    np.testing.assert_array_equal(gs, g)
    np.testing.assert_array_equal(g, want_g)
    np.testing.assert_array_equal(gw, g)
    if name != "mse":  # mse sums with madd (d * d + lane fused); the weighted path rounds d * d first
        np.testing.assert_array_equal(vw, v)
    finite = np.isfinite(elems)
    if finite.all():
        np.testing.assert_allclose(
            v, np.sum(elems.astype(np.float64)), rtol=1e-12 if dtype == np.float64 else 1e-6
        )
    else:
        assert not np.isfinite(v)
