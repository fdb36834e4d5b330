"""The numba kernels of bench/_peers.py: plain Python, compiled there twice by
`compile_kernels` -- parallel (`prange` splits the loop) and serial (`prange` is
`range`). Accumulators are float64 whatever the input dtype. Without numba this
module still imports (prange is range) and nothing in it is compiled.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

try:
    from numba import get_num_threads, prange
except Exception:  # bench/_peers.py records why numba is skipped
    prange = range

    def get_num_threads() -> int:
        return 1


# the helpers the kernels call, compiled (inlined) by compile_kernels before the kernels
_row_lse = _arg_extreme = None


def _nb_mse(x, y):
    acc = 0.0
    for i in prange(x.size):
        d = float(x[i]) - float(y[i])
        acc += d * d
    return acc / x.size


def _nb_mse_grad(x, y):
    n = x.size
    g = np.empty_like(x)
    acc = 0.0
    for i in prange(n):
        d = float(x[i]) - float(y[i])
        acc += d * d
        g[i] = (2.0 / n) * d
    return acc / n, g


def _nb_sum(a):
    acc = 0.0
    for i in prange(a.size):
        acc += a[i]
    return acc


def _nb_var(a):
    # one pass, shifted by the first element (no cancellation for data far from 0);
    # faster than two passes over a memory-bound array
    n = a.size
    k = float(a[0])
    s1 = 0.0
    s2 = 0.0
    for i in prange(n):
        d = float(a[i]) - k
        s1 += d
        s2 += d * d
    return (s2 - s1 * s1 / n) / n


def _nb_sqdist(a, b):
    acc = 0.0
    for i in prange(a.size):
        d = float(a[i]) - float(b[i])
        acc += d * d
    return acc


def _nb_bce_logits_grad(x, y):
    n = x.size
    g = np.empty_like(x)
    acc = 0.0
    for i in prange(n):
        xi = float(x[i])
        e = np.exp(-abs(xi))
        acc += max(xi, 0.0) - xi * float(y[i]) + np.log1p(e)
        s = 1.0 / (1.0 + e) if xi >= 0 else e / (1.0 + e)
        g[i] = (s - float(y[i])) / n
    return acc / n, g


def _nb_bce_logits(x, y):
    acc = 0.0
    for i in prange(x.size):
        xi = float(x[i])
        acc += max(xi, 0.0) - xi * float(y[i]) + np.log1p(np.exp(-abs(xi)))
    return acc / x.size


def _nb_row_lse(x, r):
    m = float(x[r, 0])
    for j in range(1, x.shape[1]):
        m = max(m, float(x[r, j]))
    s = 0.0
    for j in range(x.shape[1]):
        s += np.exp(float(x[r, j]) - m)
    return m + np.log(s)


def _nb_logsumexp(x):
    out = np.empty(x.shape[0], dtype=x.dtype)
    for r in prange(x.shape[0]):
        out[r] = _row_lse(x, r)
    return out


def _nb_cross_entropy(x, t):
    rows = x.shape[0]
    acc = 0.0
    for r in prange(rows):
        acc += _row_lse(x, r) - float(x[r, t[r]])
    return acc / rows


def _nb_cross_entropy_grad(x, t):
    rows = x.shape[0]
    g = np.empty_like(x)
    acc = 0.0
    for r in prange(rows):
        lse = _row_lse(x, r)
        acc += lse - float(x[r, t[r]])
        for j in range(x.shape[1]):
            g[r, j] = np.exp(float(x[r, j]) - lse) / rows
        g[r, t[r]] -= 1.0 / rows
    return acc / rows, g


def _nb_convolve2d_same(img, ker):
    # SciPy's convolve2d(mode="same") for an odd kernel: zero padding, flipped kernel
    kh, kw = ker.shape
    h, w = img.shape
    ch, cw = (kh - 1) // 2, (kw - 1) // 2
    pad = np.zeros((h + kh - 1, w + kw - 1), dtype=np.float64)
    pad[ch : ch + h, cw : cw + w] = img
    flip = ker[::-1, ::-1].copy()
    out = np.empty((h, w), dtype=img.dtype)
    for i in prange(h):
        for j in range(w):
            acc = 0.0
            for p in range(kh):
                for q in range(kw):
                    acc += flip[p, q] * pad[i + p, j + q]
            out[i, j] = acc
    return out


def _nb_mean(a):
    acc = 0.0
    for i in prange(a.size):
        acc += a[i]
    return acc / a.size


# min / max / argmin / argmax skip NaN handling (NumPy returns the NaN, or the
# index of the first NaN): with fastmath a NaN's comparisons are undefined. The
# benchmark data has no NaN, and every result is checked against gilfree's.


def _nb_min(a):
    m = float(a[0])
    for i in prange(a.size):
        m = min(m, float(a[i]))
    return m


def _nb_max(a):
    m = float(a[0])
    for i in prange(a.size):
        m = max(m, float(a[i]))
    return m


def _nb_arg_extreme(a, lo, hi, sgn):
    # (largest sgn * a[i], the first i reaching it) over [lo, hi): each block's
    # maximum by a vectorisable loop, the block scanned for the index only when
    # that maximum beats the best so far (rare on shuffled data)
    best = sgn * float(a[lo])
    at = lo
    for s in range(lo, hi, 2048):
        e = min(s + 2048, hi)
        m = best
        for i in range(s, e):
            m = max(m, sgn * float(a[i]))
        if m > best:
            for i in range(s, e):
                if sgn * float(a[i]) == m:
                    at = i
                    break
            best = m
    return best, at


def _nb_arg_search(a, sgn):
    # argmax (sgn 1) or argmin (sgn -1, the argmax of -a): one slice per thread;
    # the first slice holding the extreme gives the first index
    n = a.size
    k = max(1, min(get_num_threads(), n // 2048))
    best = np.empty(k)
    at = np.empty(k, dtype=np.int64)
    for c in prange(k):
        best[c], at[c] = _arg_extreme(a, c * n // k, (c + 1) * n // k, sgn)
    b = 0
    for c in range(1, k):
        if best[c] > best[b]:
            b = c
    return at[b]


def _nb_dot(a, b):
    acc = 0.0
    for i in prange(a.size):
        acc += float(a[i]) * float(b[i])
    return acc


def _nb_norm(a):
    # plain sqrt of the sum of squares (no scaling against overflow), as np.linalg.norm
    acc = 0.0
    for i in prange(a.size):
        d = float(a[i])
        acc += d * d
    return np.sqrt(acc)


KERNELS: dict[str, Callable] = {
    "mse": _nb_mse,
    "mse+grad": _nb_mse_grad,
    "sum": _nb_sum,
    "mean": _nb_mean,
    "var": _nb_var,
    "min": _nb_min,
    "max": _nb_max,
    "sqdist": _nb_sqdist,
    "dot": _nb_dot,
    "norm": _nb_norm,
    "bce_logits": _nb_bce_logits,
    "bce_logits+grad": _nb_bce_logits_grad,
    "logsumexp": _nb_logsumexp,
    "cross_entropy": _nb_cross_entropy,
    "cross_entropy+grad": _nb_cross_entropy_grad,
    "convolve2d": _nb_convolve2d_same,
}


def compile_kernels(numba) -> tuple[dict[str, Callable], dict[str, Callable]]:
    """(parallel, serial) kernels by case, compiled lazily by numba at their first call."""
    global _row_lse, _arg_extreme
    helper = numba.njit(nogil=True, fastmath=True, inline="always")
    _row_lse, _arg_extreme = helper(_nb_row_lse), helper(_nb_arg_extreme)
    par = {k: numba.njit(parallel=True, nogil=True, fastmath=True)(f) for k, f in KERNELS.items()}
    serial = {k: numba.njit(nogil=True, fastmath=True)(f) for k, f in KERNELS.items()}
    for kernels, parallel in ((par, True), (serial, False)):
        kernels["std"] = lambda a, var=kernels["var"]: np.sqrt(var(a))  # var's one shifted pass, then the root
        search = numba.njit(parallel=parallel, nogil=True, fastmath=True)(_nb_arg_search)
        kernels["argmax"] = lambda a, f=search: f(a, 1.0)
        kernels["argmin"] = lambda a, f=search: f(a, -1.0)
    return par, serial
