"""Independent NumPy/SciPy formulas for every loss: per-element value and
d value / d input. Written from the definitions (torch / scikit-learn docs),
never from gilfree."""

import numpy as np
from scipy.special import expit, xlogy


def elementwise(name, x, y, **p):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    d = x - y
    if name == "mse":
        return d**2, 2 * d
    if name == "mae":
        return np.abs(d), np.sign(d)
    if name == "huber":
        delta = p.get("delta", 1.0)
        a = np.abs(d)
        return (
            np.where(a < delta, 0.5 * d**2, delta * (a - 0.5 * delta)),
            np.where(a < delta, d, delta * np.sign(d)),
        )
    if name == "smooth_l1":
        beta = p.get("beta", 1.0)
        a = np.abs(d)
        if beta == 0:
            return a, np.sign(d)
        return (
            np.where(a < beta, 0.5 * d**2 / beta, a - 0.5 * beta),
            np.where(a < beta, d / beta, np.sign(d)),
        )
    if name == "log_cosh":
        return np.logaddexp(d, -d) - np.log(2.0), np.tanh(d)
    if name == "pinball":
        q = p.get("quantile", 0.5)
        return (np.where(y >= x, q * (y - x), (1 - q) * (x - y)), np.where(y >= x, -q, 1 - q))
    if name == "poisson_nll":
        eps = p.get("eps", 1e-8)
        if p.get("log_input", True):
            val, grad = np.exp(x) - y * x, np.exp(x) - y
        else:
            val, grad = x - y * np.log(x + eps), 1 - y / (x + eps)
        if p.get("full", False):
            with np.errstate(divide="ignore", invalid="ignore"):
                st = y * np.log(y) - y + 0.5 * np.log(2 * np.pi * y)
            val = val + np.where(y > 1, st, 0.0)
        return val, grad
    if name == "binary_cross_entropy":
        with np.errstate(divide="ignore"):
            val = -(y * np.maximum(np.log(x), -100) + (1 - y) * np.maximum(np.log1p(-x), -100))
        return val, (x - y) / np.maximum(x * (1 - x), 1e-12)
    if name == "binary_cross_entropy_with_logits":
        pw = p.get("pos_weight")
        lw = 1.0 if pw is None else 1 + (np.asarray(pw, dtype=np.float64) - 1) * y
        return (1 - y) * x + lw * np.logaddexp(0.0, -x), (1 - y) - lw * expit(-x)
    if name == "kl_div":
        if p.get("log_target", False):
            return np.exp(y) * (y - x), -np.exp(y)
        return xlogy(y, y) - y * x, -y
    if name == "hinge":
        m = 1 - y * x
        return np.maximum(m, 0), np.where(m > 0, -y, 0.0)
    if name == "squared_hinge":
        m = 1 - y * x
        return np.maximum(m, 0) ** 2, np.where(m > 0, -2 * y * m, 0.0)
    raise KeyError(name)


def reduce(val, grad, reduction, w=None, batch=None):
    """Applies sample weights and the reduction to per-element values/grads."""
    if w is not None:
        val, grad = val * w, grad * w
    if reduction == "none":
        return val, grad
    if reduction == "sum":
        return val.sum(), grad
    if reduction == "batchmean":
        return val.sum() / batch, grad / batch
    denom = val.size if w is None else w.sum()
    return val.sum() / denom, grad / denom


def log_softmax(z):
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def cross_entropy(
    z, target, reduction="mean", class_weight=None, ignore_index=-100, label_smoothing=0.0, sample_weight=None
):
    """Per torch's definition, with gilfree's sample_weight extension."""
    z = np.atleast_2d(np.asarray(z, dtype=np.float64))
    n, c = z.shape
    lp = log_softmax(z)
    cw = np.ones(c) if class_weight is None else np.asarray(class_weight, dtype=np.float64)
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64).reshape(n)
    eps = label_smoothing
    t = np.asarray(target)
    if t.dtype.kind == "f":
        q = t.reshape(n, c) * (1 - eps) + eps / c
        coef = q * cw
        denom = sw.sum()
    else:
        t = t.reshape(n)
        keep = t != ignore_index
        coef = np.tile(eps / c * cw, (n, 1))
        coef[np.arange(n)[keep], t[keep]] += (1 - eps) * cw[t[keep]]
        coef[~keep] = 0
        denom = (sw[keep] * cw[t[keep]]).sum()
    per = sw * -(coef * lp).sum(axis=1)
    grad = sw[:, None] * (coef.sum(axis=1, keepdims=True) * np.exp(lp) - coef)
    if reduction == "none":
        return per, grad
    if reduction == "sum":
        return per.sum(), grad
    return per.sum() / denom, grad / denom


def nll_loss(lp, target, reduction="mean", class_weight=None, ignore_index=-100, sample_weight=None):
    lp = np.atleast_2d(np.asarray(lp, dtype=np.float64))
    n, c = lp.shape
    t = np.asarray(target).reshape(n)
    cw = np.ones(c) if class_weight is None else np.asarray(class_weight, dtype=np.float64)
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64).reshape(n)
    keep = t != ignore_index
    rows = np.arange(n)[keep]
    wt = np.zeros(n)
    wt[keep] = sw[keep] * cw[t[keep]]
    per = np.zeros(n)
    per[keep] = -wt[keep] * lp[rows, t[keep]]
    grad = np.zeros((n, c))
    grad[rows, t[keep]] = -wt[keep]
    if reduction == "none":
        return per, grad
    if reduction == "sum":
        return per.sum(), grad
    return per.sum() / wt.sum(), grad / wt.sum()
