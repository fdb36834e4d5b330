"""Compatibility with the peers where they define the loss: torch.nn.functional
(values and autograd gradients) and scikit-learn's loss module; gradients
against central finite differences; stability at extreme inputs."""

import gilfree
import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH = {
    # name: (torch function, torch kwargs for gilfree params, input kind)
    "mse": (F.mse_loss, {}, "real"),
    "mae": (F.l1_loss, {}, "real"),
    "huber": (F.huber_loss, {"delta": 0.8}, "real"),
    "smooth_l1": (F.smooth_l1_loss, {"beta": 0.4}, "real"),
    "poisson_nll": (F.poisson_nll_loss, {"full": True}, "poisson"),
    "binary_cross_entropy": (F.binary_cross_entropy, {}, "prob"),
    "binary_cross_entropy_with_logits": (F.binary_cross_entropy_with_logits, {}, "logit"),
    "kl_div": (F.kl_div, {}, "kl"),
}


def make(kind, rng, shape):
    x, y = rng.normal(size=shape), rng.normal(size=shape)
    if kind == "prob":
        x, y = rng.uniform(0.01, 0.99, size=shape), rng.integers(0, 2, size=shape).astype(float)
    elif kind == "logit":
        y = rng.uniform(size=shape)
    elif kind == "poisson":
        y = rng.poisson(3, size=shape).astype(float)
    elif kind == "kl":
        x, y = (
            np.log(rng.dirichlet(np.ones(shape[-1]), size=shape[0])),
            rng.dirichlet(np.ones(shape[-1]), size=shape[0]),
        )
    return x, y


def torch_value_grad(fn, x, y, **kw):
    xt = torch.from_numpy(np.ascontiguousarray(x)).requires_grad_(True)
    out = fn(xt, torch.from_numpy(np.ascontiguousarray(y)), **kw)
    out.sum().backward()
    return out.detach().numpy(), xt.grad.numpy()


@pytest.mark.parametrize("name", sorted(TORCH))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_torch(name, reduction, dtype, rng):
    fn, kw, kind = TORCH[name]
    x, y = (a.astype(dtype) for a in make(kind, rng, (16, 5)))
    want_v, want_g = torch_value_grad(fn, x, y, reduction=reduction, **kw)
    v, g = getattr(gilfree, name)(x, y, reduction=reduction, return_grad=True, **kw)
    tol = {"rtol": 1e-12, "atol": 1e-15} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-6}
    np.testing.assert_allclose(v, want_v, **tol)
    np.testing.assert_allclose(g, want_g, **tol)


def test_bce_with_logits_pos_weight_matches_torch(rng):
    x, y = make("logit", rng, (30, 3))
    pw = np.array([0.3, 1.0, 4.0])
    want_v, want_g = torch_value_grad(
        F.binary_cross_entropy_with_logits, x, y, pos_weight=torch.from_numpy(pw)
    )
    v, g = gilfree.binary_cross_entropy_with_logits(x, y, pos_weight=pw, return_grad=True)
    np.testing.assert_allclose(v, want_v, rtol=1e-12)
    np.testing.assert_allclose(g, want_g, rtol=1e-12, atol=1e-17)


def test_bce_clamps_log_like_torch():
    x = np.array([0.0, 1.0, 0.0, 1.0])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    want, _ = torch_value_grad(F.binary_cross_entropy, x, y, reduction="none")
    got = gilfree.binary_cross_entropy(x, y, reduction="none")
    np.testing.assert_array_equal(got, want)  # 100, 100, 0, 0


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("targets", ["index", "prob"])
def test_cross_entropy_matches_torch(reduction, label_smoothing, weighted, targets, rng):
    n, c = 40, 7
    z = 4 * rng.normal(size=(n, c))
    t = rng.integers(0, c, size=n) if targets == "index" else rng.dirichlet(np.ones(c), size=n)
    if targets == "index":
        t[::9] = 3  # duplicates
        t[5] = -100
    cw = rng.uniform(0.2, 3, size=c) if weighted else None
    want_v, want_g = torch_value_grad(
        F.cross_entropy,
        z,
        t,
        reduction=reduction,
        label_smoothing=label_smoothing,
        weight=None if cw is None else torch.from_numpy(cw),
    )
    v, g = gilfree.cross_entropy(
        z, t, reduction=reduction, label_smoothing=label_smoothing, class_weight=cw, return_grad=True
    )
    np.testing.assert_allclose(v, want_v, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g, want_g, rtol=1e-11, atol=1e-15)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_matches_torch(reduction, rng):
    lp = np.log(rng.dirichlet(np.ones(5), size=25))
    t = rng.integers(0, 5, size=25)
    t[0] = 7  # ignore_index
    cw = rng.uniform(0.5, 2, size=5)
    want_v, want_g = torch_value_grad(
        F.nll_loss, lp, t, reduction=reduction, weight=torch.from_numpy(cw), ignore_index=7
    )
    v, g = gilfree.nll_loss(lp, t, reduction=reduction, class_weight=cw, ignore_index=7, return_grad=True)
    np.testing.assert_allclose(v, want_v, rtol=1e-13)
    np.testing.assert_allclose(g, want_g, rtol=1e-13)


def test_pinball_matches_sklearn(rng):
    loss_mod = pytest.importorskip("sklearn._loss.loss")
    raw, y = rng.normal(size=200), rng.normal(size=200)
    y[:5] = raw[:5]  # ties: sklearn's gradient uses y >= raw
    sk = loss_mod.PinballLoss(quantile=0.8)
    per = sk.loss(y_true=y, raw_prediction=raw)
    np.testing.assert_allclose(gilfree.pinball(raw, y, quantile=0.8, reduction="none"), per, rtol=1e-14)
    _, g = gilfree.pinball(raw, y, quantile=0.8, reduction="sum", return_grad=True)
    np.testing.assert_allclose(g, sk.gradient(y_true=y, raw_prediction=raw), rtol=1e-14)


def test_bce_with_logits_matches_sklearn_binomial(rng):
    loss_mod = pytest.importorskip("sklearn._loss.loss")
    mpmath = pytest.importorskip("mpmath")
    raw, y = 5 * rng.normal(size=300), rng.integers(0, 2, size=300).astype(float)
    sk = loss_mod.HalfBinomialLoss()
    ours = gilfree.binary_cross_entropy_with_logits(raw, y, reduction="none")
    # scikit-learn's closed form loses ~1e-10 relative for small losses ...
    np.testing.assert_allclose(ours, sk.loss(y_true=y, raw_prediction=raw), rtol=1e-9)
    # ... gilfree is exact to a few ulps: compare with 40-digit arithmetic
    mpmath.mp.dps = 40
    exact = [float(mpmath.log1p(mpmath.exp(mpmath.mpf(r))) - t * mpmath.mpf(r)) for r, t in zip(raw, y)]
    np.testing.assert_allclose(ours, exact, rtol=1e-15)
    _, g = gilfree.binary_cross_entropy_with_logits(raw, y, reduction="sum", return_grad=True)
    np.testing.assert_allclose(g, sk.gradient(y_true=y, raw_prediction=raw), rtol=1e-12, atol=1e-300)


def test_cross_entropy_matches_sklearn_multinomial(rng):
    loss_mod = pytest.importorskip("sklearn._loss.loss")
    raw, y = rng.normal(size=(50, 4)), rng.integers(0, 4, size=50)
    sk = loss_mod.HalfMultinomialLoss(n_classes=4)
    np.testing.assert_allclose(
        gilfree.cross_entropy(raw, y, reduction="none"),
        sk.loss(y_true=y.astype(float), raw_prediction=raw),
        rtol=1e-12,
    )


GRAD_CASES = [
    ("mse", {}),
    ("huber", {"delta": 2.0}),
    ("smooth_l1", {"beta": 3.0}),
    ("log_cosh", {}),
    ("poisson_nll", {}),
    ("binary_cross_entropy_with_logits", {}),
    ("kl_div", {"log_target": True}),
]


@pytest.mark.parametrize("name,params", GRAD_CASES)
def test_gradient_matches_finite_differences(name, params, rng):
    x = rng.normal(size=12)
    y = rng.uniform(0.1, 0.9, size=12)
    fn = getattr(gilfree, name)
    _, g = fn(x, y, return_grad=True, **params)
    h = 1e-6
    fd = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        fd[i] = (fn(x + e, y, **params) - fn(x - e, y, **params)) / (2 * h)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)


def test_cross_entropy_gradient_finite_differences(rng):
    z, t = rng.normal(size=(4, 5)), np.array([0, 4, 2, 2])
    _, g = gilfree.cross_entropy(z, t, label_smoothing=0.1, return_grad=True)
    h, fd = 1e-6, np.empty_like(z)
    for idx in np.ndindex(z.shape):
        e = np.zeros_like(z)
        e[idx] = h
        fd[idx] = (
            gilfree.cross_entropy(z + e, t, label_smoothing=0.1)
            - gilfree.cross_entropy(z - e, t, label_smoothing=0.1)
        ) / (2 * h)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-10)


# ------------------------------------------------------------- stability


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("logit", [1e4, 1e30, np.inf])
def test_bce_with_logits_extreme(dtype, logit):
    x = np.array([logit, -logit, logit, -logit], dtype=dtype)
    y = np.array([1.0, 0.0, 0.0, 1.0], dtype=dtype)
    v, g = gilfree.binary_cross_entropy_with_logits(x, y, reduction="none", return_grad=True)
    # softplus limits: right side ~ 0, wrong side ~ |logit|
    np.testing.assert_array_equal(v, np.array([0, 0, logit, logit], dtype=dtype))
    np.testing.assert_array_equal(g, np.array([0, 0, 1, -1], dtype=dtype))
    # value and grad separately and together agree (scikit-learn #28046)
    np.testing.assert_array_equal(gilfree.binary_cross_entropy_with_logits(x, y, reduction="none"), v)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", [1e4, 1e30])
def test_cross_entropy_extreme_logits(dtype, scale):
    z = np.array([[scale, -scale, 0.0], [-scale, scale, 0.0]], dtype=dtype)
    v, g = gilfree.cross_entropy(z, np.array([0, 0]), reduction="none", return_grad=True)
    assert np.all(np.isfinite(v)) and np.all(np.isfinite(g))
    np.testing.assert_allclose(v, np.array([0.0, 2 * scale]), rtol=1e-6)
    np.testing.assert_allclose(g, np.array([[0, 0, 0], [-1, 1, 0]], dtype=dtype), atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["log_cosh", "huber", "smooth_l1", "mae", "pinball"])
def test_huge_residuals_are_finite(name, dtype):
    x = np.array([1e30, -1e30, 0.0], dtype=dtype)
    y = np.zeros(3, dtype=dtype)
    v, g = getattr(gilfree, name)(x, y, reduction="none", return_grad=True)
    assert np.all(np.isfinite(v)) and np.all(np.isfinite(g))
    if name in ("log_cosh", "mae"):
        np.testing.assert_allclose(v, [1e30, 1e30, 0.0], rtol=1e-6)
        np.testing.assert_array_equal(g, np.array([1, -1, 0], dtype=dtype))


def test_log_cosh_small_residuals_accurate():
    d = np.array([1e-8, 1e-3, 0.5])
    # log(cosh(d)) = d^2/2 - d^4/12 + ... ; reference from log1p of cosh-1 = expm1 form
    want = np.log1p(np.expm1(d) ** 2 / (2 * np.exp(d)))
    np.testing.assert_allclose(gilfree.log_cosh(d, np.zeros(3), reduction="none"), want, rtol=1e-12)


def test_float32_accumulates_in_float64():
    # 1e7 float32 ones with a tiny residual: a float32 running sum would stall at 2**24
    n = 2**25
    x = np.ones(n, dtype=np.float32)
    y = np.zeros(n, dtype=np.float32)
    assert gilfree.mse(x, y, reduction="sum") == np.float32(n)
