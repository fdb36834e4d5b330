"""NumPy peers of some of the service's kernels: the baselines of
bench/bench_service.py (``--handler numpy-blocking`` / ``numpy-thread``).

Vectorised NumPy, as a careful user would write it: conv2d is im2col (a
strided window view, copied once) times the weights through BLAS, one
matmul per group; the losses and reductions are whole-array expressions.
Same arguments as the gilfree kernels; the parameters a peer lacks are a
TypeError (the service's 422).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _pair(v: Any, name: str) -> tuple[int, int]:
    pair = (v, v) if np.isscalar(v) else tuple(v)
    if len(pair) != 2 or not all(isinstance(i, (int, np.integer)) and i >= 0 for i in pair):
        raise ValueError(f"{name}: expected an int or a pair of ints, got {v!r}")
    return int(pair[0]), int(pair[1])


def _padding(padding: Any, span: tuple[int, int]) -> list[tuple[int, int]]:
    """Rows and columns added on each side; "same" splits the span like torch."""
    if padding == "valid":
        return [(0, 0), (0, 0)]
    if padding == "same":
        return [((s - 1) // 2, (s - 1) - (s - 1) // 2) for s in span]
    return [(p, p) for p in _pair(padding, "padding")]


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, method=None):
    x, w = np.asarray(input), np.asarray(weight)
    unbatched = x.ndim == 3
    x = x[None] if unbatched else x
    (sh, sw), (dh, dw) = _pair(stride, "stride"), _pair(dilation, "dilation")
    cout, cin_g, kh, kw = w.shape
    span = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
    x = np.pad(x, [(0, 0), (0, 0), *_padding(padding, span)])
    # (N, C, Ho, Wo, kh, kw) view, then (N, Ho, Wo, C, kh, kw) for the matmul
    win = sliding_window_view(x, span, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    win = win.transpose(0, 2, 3, 1, 4, 5)
    n, ho, wo = win.shape[:3]
    cout_g = cout // groups
    out = np.empty((n, cout, ho, wo), dtype=np.result_type(x, w))
    for g in range(groups):
        cols = win[..., g * cin_g : (g + 1) * cin_g, :, :].reshape(n * ho * wo, cin_g * kh * kw)
        wg = w[g * cout_g : (g + 1) * cout_g].reshape(cout_g, cin_g * kh * kw)
        out[:, g * cout_g : (g + 1) * cout_g] = (cols @ wg.T).reshape(n, ho, wo, cout_g).transpose(0, 3, 1, 2)
    if bias is not None:
        out += np.asarray(bias, dtype=out.dtype)[:, None, None]
    return out[0] if unbatched else out


def _reduce(values: np.ndarray, sample_weight: Any, reduction: str) -> Any:
    if sample_weight is not None:
        values = values * sample_weight
    if reduction == "none":
        return values
    if reduction == "sum":
        return values.sum()
    return values.mean()


def _loss(pointwise):
    def loss(input, target, *, sample_weight=None, reduction="mean", **params):
        d = np.asarray(input, dtype=np.float64) - np.asarray(target, dtype=np.float64)
        return _reduce(pointwise(d, **params), sample_weight, reduction)

    loss.__name__ = pointwise.__name__
    return loss


def _huber(d, delta=1.0):
    a = np.abs(d)
    return np.where(a <= delta, 0.5 * d * d, delta * (a - 0.5 * delta))


def _smooth_l1(d, beta=1.0):
    a = np.abs(d)
    return np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)


def _logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def _on_x(np_fn):
    """``np_fn`` called with the service's argument name ``x``."""

    def reduction(x, **kwargs):
        return np_fn(x, **kwargs)

    reduction.__name__ = np_fn.__name__
    return reduction


KERNELS = {
    "conv2d": conv2d,
    "mse": _loss(lambda d: d * d),
    "mae": _loss(np.abs),
    "huber": _loss(_huber),
    "smooth_l1": _loss(_smooth_l1),
    "log_cosh": _loss(lambda d: np.logaddexp(d, -d) - np.log(2.0)),
    **{
        name: _on_x(getattr(np, name))
        for name in ("sum", "mean", "var", "std", "min", "max", "argmin", "argmax")
    },
    "logsumexp": _logsumexp,
    "norm": lambda x, ord=2, axis=None, keepdims=False: np.linalg.norm(x, ord, axis, keepdims),
}
