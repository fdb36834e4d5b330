"""Fuzz specs of the typed loops (reductions, elementwise kernels, histogram)."""

from __future__ import annotations

import numpy as np
from fuzz_specs_base import F32, F64, HUGE, NATIVE, ShapeOnly, Spec, _arr, _bcast, _f64, _pick, _shape  # noqa: F401

# ------------------------------------------------------------ loops


def _loop_base(extra=None, dtypes=NATIVE, size=6):
    def base(rng):
        x = _arr(rng, _shape(rng, size=size), dtypes=dtypes)
        call = {
            "x": x,
            "axis": _pick(rng, [None, int(rng.integers(-x.ndim, x.ndim))]),
            "keepdims": bool(rng.integers(2)),
        }
        return call | (extra(rng) if extra else {})

    return base


def _np_reduce(fn, **fixed):
    def peer(c):
        kw = {k: c[k] for k in ("ddof",) if k in c}
        with np.errstate(all="ignore"):
            return fn(c["x"], axis=c["axis"], keepdims=c["keepdims"], **kw, **fixed)

    return peer


def _reduce_huge(closed):
    """closed(c, n) -> expected reduction of a constant c over n elements."""

    def huge(rng, call):
        x = call["x"]
        c = x.dtype.type(rng.integers(-5, 6)) if x.dtype.kind == "i" else x.dtype.type(rng.uniform(-2, 2))
        big = call | {"x": _bcast(c, (HUGE,)), "axis": _pick(rng, [None, 0, -1]), "keepdims": False}
        return big, closed(c, HUGE), 0

    return huge


def _var_peer(name):
    """np.var with ddof=0, rescaled by n / (n - ddof) in float64: NumPy's own
    n - ddof overflows int64 for ddof = -2**63 (and then divides by zero)."""

    def peer(c):
        x, axis = c["x"], c["axis"]
        n = x.size if axis is None else x.shape[axis]
        d = max(n - float(c["ddof"]), 0.0)
        with np.errstate(all="ignore"):
            v0 = np.var(x, axis=axis, keepdims=c["keepdims"])
            v = np.asarray(v0, F64) * n / d if d or not n else np.asarray(v0, F64) * n / 0.0
            return (np.sqrt(v) if name == "std" else v).astype(np.asarray(v0).dtype)

    return peer


def _norm_peer(c):
    x, ordv, axis = _f64(c["x"]), c["ord"], c["axis"]
    if isinstance(ordv, (bool, np.bool_)) or not (ordv is None or isinstance(ordv, (int, float, np.number))):
        raise TypeError("ord: not a number")
    if ordv is not None and ordv != ordv:
        raise ValueError("ord: nan")
    if axis is None and x.ndim == 2 and ordv is not None:
        return _matrix_norm_peer(c, x, float(ordv))
    if axis is None and x.ndim != 1 and ordv is not None:
        raise ValueError("ord: improper dimensions")
    if ordv is None:
        ordv = 2
    if axis is None:
        x, ax = x.reshape(-1), 0
    else:
        ax = axis
    a = np.abs(x)
    with np.errstate(all="ignore"):
        if ordv == 1:
            r = a.sum(axis=ax)
        elif ordv == np.inf:
            r = a.max(axis=ax)
        elif ordv == 2:
            s = a.max(axis=ax, keepdims=True) if a.size else np.zeros(a.sum(axis=ax, keepdims=True).shape)
            s1 = np.where((s == 0) | np.isinf(s), 1.0, s)
            r = np.squeeze(s1 * np.sqrt(((a / s1) ** 2).sum(axis=ax, keepdims=True)), axis=ax)
            r = np.where(np.squeeze(np.isinf(s), axis=ax), np.inf, r)
        elif ordv == -np.inf:
            r = a.min(axis=ax)
        elif ordv == 0:
            r = (a != 0).sum(axis=ax).astype(F64)
        else:  # NumPy's formula for any other p
            r = (a ** float(ordv)).sum(axis=ax) ** (1.0 / float(ordv))
    if c["keepdims"]:
        r = np.reshape(r, (1,) * c["x"].ndim) if axis is None else np.expand_dims(r, axis)
    return np.asarray(r, F32 if c["x"].dtype == F32 else F64)


def _matrix_norm_peer(c, x, ordv):
    """np.linalg.norm's matrix norms of a 2-d x, written out: the largest (1, inf) or
    smallest (-1, -inf) absolute column or row sum; 2 and -2 need an SVD: a ValueError."""
    if ordv not in (1.0, -1.0, np.inf, -np.inf):
        raise ValueError("ord: a matrix norm from singular values, or no matrix norm")
    sums = np.abs(x).sum(axis=0 if abs(ordv) == 1 else 1)
    with np.errstate(all="ignore"):
        if ordv > 0:
            r = sums.max(initial=0.0)
        elif sums.size == 0:
            raise ValueError("x: zero-size array to reduction operation minimum which has no identity")
        else:
            r = sums.min()
    r = np.reshape(r, (1, 1)) if c["keepdims"] else r
    return np.asarray(r, F32 if c["x"].dtype == F32 else F64)


def _lse_peer(c):
    from scipy.special import logsumexp

    with np.errstate(all="ignore"):
        return logsumexp(_f64(c["x"]), axis=c["axis"], keepdims=c["keepdims"])


def _softmax_peer(c):
    from scipy.special import softmax

    with np.errstate(all="ignore"):
        return softmax(_f64(c["x"]), axis=c["axis"])


def _pair_base(with_axis):
    def base(rng):
        shp = _shape(rng)
        bshp = shp[int(rng.integers(len(shp))) :] if rng.random() < 0.3 else shp
        a, b = _arr(rng, shp, dtypes=NATIVE), _arr(rng, bshp, dtypes=NATIVE)
        if rng.random() < 0.5:
            a, b = b, a
        if not with_axis:
            n = int(rng.integers(0, 40))
            return {"a": _arr(rng, (n,), dtypes=NATIVE), "b": _arr(rng, (n,), dtypes=NATIVE)}
        nd = max(a.ndim, b.ndim)
        return {
            "a": a,
            "b": b,
            "axis": _pick(rng, [None, int(rng.integers(-nd, nd))]),
            "keepdims": bool(rng.integers(2)),
        }

    return base


def _sqdist_peer(c):
    d = _f64(c["a"]) - _f64(c["b"])
    with np.errstate(all="ignore"):
        return np.sum(d * d, axis=c["axis"], keepdims=c["keepdims"])


def _axpy_base(rng):
    shp = _shape(rng)
    x, y = _arr(rng, shp, dtypes=NATIVE), _arr(rng, shp[int(rng.integers(len(shp))) :], dtypes=NATIVE)
    if rng.random() < 0.5:
        x, y = y, x
    alpha = _pick(
        rng, [float(rng.uniform(-3, 3)), int(rng.integers(-3, 4)), np.float32(0.5), np.float64(-2.0)]
    )
    call = {"alpha": alpha, "x": x, "y": y, "out": None}
    if rng.random() < 0.3 and y.shape == np.broadcast_shapes(x.shape, y.shape) and y.dtype.kind == "f":
        if x.dtype == y.dtype or y.dtype == F64:
            call["out"] = y
    return call


def _axpy_peer(c):
    return float(c["alpha"]) * _f64(c["x"]) + _f64(c["y"])


def _clip_base(rng):
    x = _arr(rng, _shape(rng), dtypes=NATIVE)

    def bound():
        v = float(rng.uniform(-3, 3)) if x.dtype.kind == "f" else int(rng.integers(-60, 60))
        kind = _pick(rng, ["py", "py", "none", "f32", "f64", "i32", "i64", "pyfloat"])
        conv = {
            "py": lambda u: u,
            "none": lambda u: None,
            "f32": F32,
            "f64": F64,
            "i32": np.int32,
            "i64": np.int64,
        }
        return float(v) if kind == "pyfloat" else conv[kind](int(v) if kind[0] == "i" else v)

    call = {"x": x, "lo": bound(), "hi": bound(), "out": None}
    if rng.random() < 0.3:
        call["out"] = x
    return call


def _clip_peer(c):
    out = c["out"]  # NumPy casts into out= (same_kind) as gilfree does
    return np.clip(c["x"], c["lo"], c["hi"], out=None if out is None else np.empty(out.shape, out.dtype))


def _hist_base(rng):
    x = _arr(rng, _shape(rng, size=8), dtypes=NATIVE)
    call = {"x": x, "bins": int(rng.integers(1, 13)), "range": None}
    if rng.random() < 0.4:
        lo = float(rng.uniform(-4, 1))
        call["range"] = _pick(
            rng, [(lo, lo + float(rng.uniform(0.5, 5))), [lo, lo + 1.0], np.array([lo, lo + 2])]
        )
    return call


def _hist_peer(c):
    return np.histogram(c["x"], c["bins"], c["range"])


def _hist_huge(rng, call):
    c = float(rng.uniform(-2, 2))
    big = call | {"x": _bcast(c, (HUGE,))}
    counts, edges = _hist_peer(call | {"x": np.array([c])})
    return big, (counts * HUGE, edges), 8 * call["bins"]


def _array_out_huge(rng, call):
    """Kernels whose output has the input's size: the output alone is 16 GiB."""
    name = "x" if "x" in call else "a"
    return call | {name: _bcast(1.0, (HUGE,))}, None, HUGE * 8


def _nbytes_of_inputs(c):
    return 8 * sum(v.size for v in c.values() if isinstance(v, np.ndarray))


def _hist_nbytes(c):
    b = c.get("bins")
    return 16 * b if isinstance(b, int) and b > 0 else 0
