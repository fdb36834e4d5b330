"""Typed loops: fused single-pass reductions and elementwise kernels.

NumPy expressions such as ``np.sum((a - b) ** 2)`` build temporaries and
pass over memory several times; these kernels read each element once, on
all cores, without the GIL.

- Dtypes int32, int64, float32 and float64 are read natively (no
  conversion copy); anything else is a TypeError. Float-valued results
  (``mean``, ``var``, ``norm``, ...) of integer input are float64, of
  float32 input float32. ``softmax`` and ``axpy`` convert integers to
  float64 first.
- ``axis`` is None (the whole array) or an int (negative allowed); any
  strides and views work without copying the array.
- Floating-point accumulation is in float64 whatever the dtype; integer
  sums wrap around as NumPy's do.
- Work is split in chunks of a fixed size whose partial results are
  combined in a fixed order: results are bitwise identical for any number
  of threads.

Note that ``sum``, ``min`` and ``max`` shadow the builtins when imported
with ``from gilfree import *``.
"""

from __future__ import annotations

import builtins
import math
import numbers

import numpy as np

from . import _validate as v
from ._cyx import _loops as _k
from ._registry import kernel
from .runtime import _call_kernel

__all__ = [
    "argmax",
    "argmin",
    "axpy",
    "clip",
    "cumsum",
    "dot",
    "histogram",
    "logsumexp",
    "max",
    "mean",
    "min",
    "norm",
    "softmax",
    "sqdist",
    "std",
    "sum",
    "var",
]

# ReduceKind codes of kernels/loops.hpp
(_SUM, _MEAN, _VAR, _STD, _MIN, _MAX, _ARGMIN, _ARGMAX, _DOT, _SQDIST, _NORM1, _NORM2, _NORMINF, _LSE) = (
    builtins.range(14)
)

_I32, _I64 = np.dtype(np.int32), np.dtype(np.int64)
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_NATIVE = (_I32, _I64, _F32, _F64)


# ------------------------------------------------------------------ arguments


def _native(x: object, name: str) -> np.ndarray:
    """x as an array of a native dtype (no copy unless unaligned)."""
    arr = v.as_array(x, name)
    if arr.dtype not in _NATIVE:
        raise TypeError(f"{name}: expected int32, int64, float32 or float64, got {v._describe(arr)}")
    if not arr.flags.aligned:
        arr = arr.copy()
    return arr


def _floating(x: object, name: str) -> np.ndarray:
    """x as float32/float64: int32/int64 are converted to float64."""
    arr = _native(x, name)
    if arr.dtype.kind == "i":
        arr = arr.astype(np.float64)
    return arr


def _common(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a and b converted to their common dtype (the other is left as is)."""
    if a.dtype != b.dtype:
        dt = np.result_type(a.dtype, b.dtype)
        a, b = a.astype(dt, copy=False), b.astype(dt, copy=False)
    return a, b


def _to_last(a: np.ndarray, ax: int) -> np.ndarray:
    """A view of a with axis ax moved last (a itself when it is last already:
    np.moveaxis costs microseconds, a lot beside a small kernel)."""
    return a if ax == a.ndim - 1 else np.moveaxis(a, ax, -1)


def _float_result(dt: np.dtype) -> np.dtype:
    return _F32 if dt == _F32 else _F64


def _axis(axis: object, ndim: int) -> int | None:
    if axis is None:
        return None
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis: expected None or an int, got {type(axis).__name__}")
    a = int(axis)
    if not -ndim <= a < ndim:
        raise np.exceptions.AxisError(a, ndim, msg_prefix="axis")
    return a % ndim


def _number(x: object, name: str, *, allow_none: bool = False) -> float | int | None:
    """A real scalar (Python or NumPy; infinities and NaN allowed)."""
    if x is None and allow_none:
        return None
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        what = "a real number or None" if allow_none else "a real number"
        raise TypeError(f"{name}: expected {what}, got {type(x).__name__}")
    return x


def _check_out(out: object, shape: tuple, dtype: np.dtype, inputs: list) -> np.ndarray:
    """Validates a caller's out= buffer before anything is written to it."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out: expected a numpy.ndarray, got {type(out).__name__}")
    if out.dtype != dtype:
        raise TypeError(f"out: expected dtype {dtype}, got {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"out: expected shape {shape}, got {out.shape}")
    if not out.flags.writeable:
        raise ValueError("out: array is read-only")
    if not out.flags.aligned:
        raise ValueError("out: array data must be aligned")
    if builtins.any(s == 0 and n > 1 for s, n in zip(out.strides, out.shape, strict=True)):
        raise ValueError("out: elements overlap each other (a zero stride)")
    for arr, name in inputs:
        if not np.may_share_memory(out, arr):
            continue
        same = (
            out.__array_interface__["data"][0] == arr.__array_interface__["data"][0]
            and out.strides == arr.strides
            and out.shape == arr.shape
        )
        if same:
            continue
        try:
            overlap = np.shares_memory(out, arr, max_work=100_000)
        except np.exceptions.TooHardError:
            overlap = True
        if overlap:
            raise ValueError(
                f"out: overlaps {name} partially (out may be {name} itself, the same view, "
                "but not another view of its memory)"
            )
    return out


def _reduce(
    kind: int,
    x: np.ndarray,
    axis: object,
    keepdims: object,
    dtype: np.dtype,
    y: np.ndarray | None = None,
    param: float = 0.0,
    empty_error: str | None = None,
):
    """Runs reduction `kind` of x (and y) over `axis`, result cast to dtype."""
    keep = v.flag(keepdims, "keepdims")
    ax = _axis(axis, x.ndim)
    if ax is None:
        view, yv, nouter, length = x, y, 0, x.size
        shape = (1,) * x.ndim if keep else ()
    else:
        view = _to_last(x, ax)
        yv = None if y is None else _to_last(y, ax)
        nouter, length = x.ndim - 1, x.shape[ax]
        shape = x.shape[:ax] + ((1,) if keep else ()) + x.shape[ax + 1 :]
    if empty_error is not None and length == 0:
        raise ValueError(f"x: zero-size array to reduction operation {empty_error} which has no identity")
    res = _call_kernel(_k.run_reduce, kind, view, yv, nouter, param)
    res = res.reshape(shape)
    if res.dtype != dtype:
        res = res.astype(dtype)
    return res[()] if res.ndim == 0 else res


# ------------------------------------------------------------------ reductions


@kernel
def sum(x, axis=None, keepdims=False):
    """Sum of the elements, as ``np.sum``.

    int32 and int64 sum to int64 (wrapping on overflow, as NumPy does on
    Linux); float32 and float64 keep their dtype and are summed pairwise in
    float64 (at least as accurate as ``np.sum``).

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.sum(np.arange(10, dtype=np.int32))
    np.int64(45)
    >>> gilfree.sum(np.ones((2, 3)), axis=0).tolist()
    [2.0, 2.0, 2.0]
    """
    arr = _native(x, "x")
    dt = _I64 if arr.dtype.kind == "i" else arr.dtype
    return _reduce(_SUM, arr, axis, keepdims, dt)


@kernel
def mean(x, axis=None, keepdims=False):
    """Arithmetic mean, as ``np.mean`` (float64 for integer input).

    An empty reduction is NaN (without NumPy's RuntimeWarning).

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.mean(np.array([1, 2, 3, 4]))
    np.float64(2.5)
    """
    arr = _native(x, "x")
    return _reduce(_MEAN, arr, axis, keepdims, _float_result(arr.dtype))


@kernel
def var(x, axis=None, ddof=0, keepdims=False):
    """Variance, as ``np.var``: ``sum((x - mean)**2) / (n - ddof)``.

    One pass over memory: each block of 1024 elements is reduced to (count,
    mean, sum of squared deviations) around the first element of its row,
    and blocks are merged pairwise with Chan's formula, so data with a large
    offset (``1e9 + noise``) keeps its accuracy. ``n - ddof <= 0`` gives
    inf or NaN, an empty reduction NaN (without NumPy's RuntimeWarning).

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.var(np.array([1.0, 2.0, 3.0, 4.0]))
    np.float64(1.25)
    >>> float(gilfree.var(1e9 + np.array([1.0, 2.0, 3.0, 4.0]), ddof=1))
    1.6666666666666667
    """
    arr = _native(x, "x")
    d = v.real(ddof, "ddof")
    return _reduce(_VAR, arr, axis, keepdims, _float_result(arr.dtype), param=d)


@kernel
def std(x, axis=None, ddof=0, keepdims=False):
    """Standard deviation, ``sqrt(var(x, axis, ddof))``, as ``np.std``.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.std(np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]))
    np.float64(2.0)
    """
    arr = _native(x, "x")
    d = v.real(ddof, "ddof")
    return _reduce(_STD, arr, axis, keepdims, _float_result(arr.dtype), param=d)


@kernel
def min(x, axis=None, keepdims=False):
    """Smallest element, as ``np.min``: NaN propagates; an empty reduction
    is a ValueError.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.min(np.array([3, 1, 2], dtype=np.int32))
    np.int32(1)
    >>> gilfree.min(np.array([1.0, np.nan, 0.0]))
    np.float64(nan)
    """
    arr = _native(x, "x")
    return _reduce(_MIN, arr, axis, keepdims, arr.dtype, empty_error="min")


@kernel
def max(x, axis=None, keepdims=False):
    """Largest element, as ``np.max``: NaN propagates; an empty reduction
    is a ValueError.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.max(np.array([[1, 5], [7, 2]]), axis=1).tolist()
    [5, 7]
    """
    arr = _native(x, "x")
    return _reduce(_MAX, arr, axis, keepdims, arr.dtype, empty_error="max")


@kernel
def argmin(x, axis=None, keepdims=False):
    """Index of the first smallest element (of the first NaN if any), as
    ``np.argmin``; with ``axis=None`` an index into the flattened (C-order)
    array.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.argmin(np.array([3.0, 1.0, 1.0]))
    np.int64(1)
    """
    arr = _native(x, "x")
    return _reduce(_ARGMIN, arr, axis, keepdims, _I64, empty_error="argmin")


@kernel
def argmax(x, axis=None, keepdims=False):
    """Index of the first largest element (of the first NaN if any), as
    ``np.argmax``.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.argmax(np.array([1.0, np.nan, 5.0, np.nan]))
    np.int64(1)
    >>> gilfree.argmax(np.array([[1, 9], [8, 2]]), axis=0).tolist()
    [1, 0]
    """
    arr = _native(x, "x")
    return _reduce(_ARGMAX, arr, axis, keepdims, _I64, empty_error="argmax")


@kernel
def dot(a, b):
    """Inner product of two 1-d arrays, as ``np.dot``.

    Mixed dtypes are promoted as NumPy does; integer products wrap around in
    the result dtype (int32 stays int32), floats accumulate in float64.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.dot(np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]))
    np.float64(32.0)
    """
    x = _native(a, "a")
    y = _native(b, "b")
    if x.ndim != 1:
        raise ValueError(f"a: expected a 1-d array, got {x.ndim}-d")
    if y.ndim != 1:
        raise ValueError(f"b: expected a 1-d array, got {y.ndim}-d")
    if y.shape != x.shape:
        raise ValueError(f"b: expected length {x.shape[0]} (the length of a), got {y.shape[0]}")
    x, y = _common(x, y)
    return _reduce(_DOT, x, None, False, x.dtype, y=y)


@kernel
def sqdist(a, b, axis=None, keepdims=False):
    """Squared Euclidean distance ``sum((a - b)**2)`` in one pass, without
    the temporaries of the NumPy expression. a and b broadcast together;
    the result is float64 (float32 when both are float32).

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.sqdist(np.array([1.0, 2.0]), np.array([4.0, 6.0]))
    np.float64(25.0)
    >>> gilfree.sqdist(np.ones((2, 3)), np.zeros(3), axis=1).tolist()
    [3.0, 3.0]
    """
    x, y = _broadcast_pair(_native(a, "a"), _native(b, "b"), "a", "b")
    return _reduce(_SQDIST, x, axis, keepdims, _float_result(x.dtype), y=y)


@kernel
def norm(x, ord=2, axis=None, keepdims=False):
    """Vector norm: ``ord`` 1 (sum of ``|x|``), 2 (Euclidean) or ``inf``
    (largest ``|x|``), as ``np.linalg.norm(x.ravel(), ord)`` for
    ``axis=None`` and ``np.linalg.norm(x, ord, axis)`` for an int axis.

    The 2-norm scales each block by a power of two, so it neither overflows
    nor underflows (``norm([1e200, 1e200]) == 1.414...e200``).

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.norm(np.array([3.0, 4.0]))
    np.float64(5.0)
    >>> float(gilfree.norm(np.array([3e300, 4e300])))
    5e+300
    >>> gilfree.norm(np.array([-3, 1]), ord=np.inf)
    np.float64(3.0)
    """
    arr = _native(x, "x")
    if isinstance(ord, (bool, np.bool_)) or not isinstance(ord, numbers.Real):
        raise TypeError(f"ord: expected 1, 2 or inf, got {type(ord).__name__}")
    if ord == 1:
        kind = _NORM1
    elif ord == 2:
        kind = _NORM2
    elif ord == math.inf:
        kind = _NORMINF
    else:
        raise ValueError(f"ord: expected 1, 2 or inf, got {ord!r}")
    return _reduce(
        kind,
        arr,
        axis,
        keepdims,
        _float_result(arr.dtype),
        empty_error="norm(ord=inf)" if kind == _NORMINF else None,
    )


@kernel
def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` without overflow, as ``scipy.special.logsumexp``:
    one pass that keeps a running (max, scaled sum) per block. +inf gives
    inf, NaN gives NaN, all -inf (or empty) gives -inf.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> float(gilfree.logsumexp(np.array([1000.0, 1000.0])))  # no overflow
    1000.6931471805599
    """
    arr = _native(x, "x")
    return _reduce(_LSE, arr, axis, keepdims, _float_result(arr.dtype))


# ------------------------------------------------------------------ array results


@kernel
def softmax(x, axis=-1):
    """``exp(x - max) / sum(exp(x - max))`` along ``axis`` (default: the last
    one; ``None``: the whole array), as ``scipy.special.softmax``. A slice
    whose max is not finite is all NaN, as in SciPy.

    Note: ``scipy.special.softmax`` defaults to ``axis=None``; this default
    is the last axis.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.softmax(np.array([0.0, np.log(3.0)])).round(6).tolist()
    [0.25, 0.75]
    """
    arr = _floating(x, "x")
    ax = _axis(axis, arr.ndim)
    out = np.empty(arr.shape, arr.dtype)
    if ax is None:
        _call_kernel(_k.run_softmax, arr, out, 0)
    else:
        _call_kernel(_k.run_softmax, _to_last(arr, ax), _to_last(out, ax), arr.ndim - 1)
    return out


@kernel
def cumsum(x, axis=None):
    """Running sum along ``axis`` (``None``: of the flattened array, C order),
    as ``np.cumsum``: int32/int64 give int64 (wrapping), floats keep their
    dtype and accumulate in float64.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.cumsum(np.array([[1, 2], [3, 4]], dtype=np.int32)).tolist()
    [1, 3, 6, 10]
    >>> gilfree.cumsum(np.array([[1.0, 2.0], [3.0, 4.0]]), axis=0).tolist()
    [[1.0, 2.0], [4.0, 6.0]]
    """
    arr = _native(x, "x")
    ax = _axis(axis, arr.ndim)
    out = np.empty(arr.shape, _I64 if arr.dtype.kind == "i" else arr.dtype)
    if ax is None:
        _call_kernel(_k.run_cumsum, arr, out, 0)
        return out.reshape(-1)
    _call_kernel(_k.run_cumsum, _to_last(arr, ax), _to_last(out, ax), arr.ndim - 1)
    return out


@kernel
def axpy(alpha, x, y, *, out=None):
    """``alpha * x + y`` in one pass (BLAS axpy), x and y broadcast together.

    Integers are converted to float64; the result has the common float
    dtype of x and y. ``out`` (optional) must have the result's shape and
    dtype and be writeable; it may be ``y`` (or ``x``) itself, but no other
    view overlapping them.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> y = np.array([1.0, 1.0, 1.0])
    >>> gilfree.axpy(2.0, np.array([1.0, 2.0, 3.0]), y, out=y).tolist()
    [3.0, 5.0, 7.0]
    """
    a = float(_number(alpha, "alpha"))
    xa = _floating(x, "x")
    ya = _floating(y, "y")
    xc, yc = _broadcast_pair(xa, ya, "x", "y")
    if out is None:
        res = np.empty(xc.shape, xc.dtype)
    else:
        res = _check_out(out, xc.shape, xc.dtype, [(xa, "x"), (ya, "y")])
    _call_kernel(_k.run_axpy, a, xc, yc, res)
    return res


def _broadcast_pair(x: np.ndarray, y: np.ndarray, xname: str, yname: str) -> tuple[np.ndarray, np.ndarray]:
    """x and y in their common dtype, broadcast to one shape (zero strides, no
    copy); equal shapes skip np.broadcast_to, which costs microseconds a call."""
    if x.shape == y.shape:
        return _common(x, y)
    try:
        shape = np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        msg = f"{yname}: shape {y.shape} does not broadcast with {xname}'s shape {x.shape}"
        raise ValueError(msg) from None
    x, y = _common(x, y)
    return np.broadcast_to(x, shape), np.broadcast_to(y, shape)


def _int_bound(b, dt: np.dtype, default: int) -> int:
    if b is None:
        return default
    info = np.iinfo(dt)
    return builtins.min(builtins.max(int(b), int(info.min)), int(info.max))


@kernel
def clip(x, lo, hi, *, out=None):
    """``min(max(x, lo), hi)`` elementwise, as ``np.clip``; ``lo`` or ``hi``
    may be None. NaN in x stays NaN; a NaN bound makes every element NaN;
    ``lo > hi`` gives ``hi``. An integer x with a float bound is promoted
    to float64 (as NumPy does). ``out``: as for :func:`axpy`; ``out=x``
    clips in place.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.clip(np.array([-2, 0, 5, 9], dtype=np.int32), 0, 6).tolist()
    [0, 0, 5, 6]
    """
    arr = _native(x, "x")
    lo = _number(lo, "lo", allow_none=True)
    hi = _number(hi, "hi", allow_none=True)
    src = arr
    if arr.dtype.kind == "i" and builtins.any(
        b is not None and not isinstance(b, (numbers.Integral, np.integer)) for b in (lo, hi)
    ):
        src = arr.astype(np.float64)
    if out is None:
        res = np.empty(src.shape, src.dtype)
    else:
        res = _check_out(out, src.shape, src.dtype, [(arr, "x")])
    if src.dtype.kind == "i":
        info = np.iinfo(src.dtype)
        ilo = _int_bound(lo, src.dtype, int(info.min))
        ihi = _int_bound(hi, src.dtype, int(info.max))
        _call_kernel(_k.run_clip, src, res, 0.0, 0.0, ilo, ihi)
    else:
        flo = -math.inf if lo is None else float(lo)
        fhi = math.inf if hi is None else float(hi)
        _call_kernel(_k.run_clip, src, res, flo, fhi, 0, 0)
    return res


@kernel
def histogram(x, bins=10, range=None):
    """Counts of x in ``bins`` equal-width bins, as ``np.histogram`` with an
    int ``bins``: returns ``(counts, edges)``, counts int64, edges float64
    (float32 for float32 x). ``range=(lo, hi)`` drops the values outside
    it; by default it is ``(x.min(), x.max())``. The last bin includes its
    right edge. Only uniform bins are supported.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> counts, edges = gilfree.histogram(np.array([0.0, 1.0, 1.5, 3.0]), bins=3)
    >>> counts.tolist(), edges.tolist()
    ([1, 2, 1], [0.0, 1.0, 2.0, 3.0])
    """
    arr = _native(x, "x")
    if isinstance(bins, (bool, np.bool_)) or not isinstance(bins, (int, np.integer)):
        raise TypeError(f"bins: expected a positive int (uniform bins only), got {type(bins).__name__}")
    nb = int(bins)
    if nb < 1:
        raise ValueError(f"bins: expected a positive int, got {nb}")
    if range is None:
        if arr.size == 0:
            first, last = 0.0, 1.0
        else:
            # NumPy's edges come from the extremes in x's dtype (float32 arithmetic for float32)
            first, last = min(arr), max(arr)
            if arr.dtype != _F32:
                first, last = float(first), float(last)
            if not (math.isfinite(first) and math.isfinite(last)):
                raise ValueError(f"x: autodetected range of [{first}, {last}] is not finite")
    else:
        if isinstance(range, (str, bytes)) or not hasattr(range, "__len__") or len(range) != 2:
            raise TypeError(f"range: expected a (lo, hi) pair of numbers, got {type(range).__name__}")
        first = float(_number(range[0], "range"))
        last = float(_number(range[1], "range"))
        if first > last:
            raise ValueError(f"range: max must be larger than min, got ({first}, {last})")
        if not (math.isfinite(first) and math.isfinite(last)):
            raise ValueError(f"range: supplied range of [{first}, {last}] is not finite")
    if first == last:
        first, last = first - 0.5, last + 0.5
    bin_dtype = _F32 if arr.dtype == _F32 else _F64
    edges = np.linspace(first, last, nb + 1, endpoint=True, dtype=bin_dtype)
    if bin_dtype == _F32:  # NumPy compares float32 data with the bounds as float32
        first, last = float(np.float32(first)), float(np.float32(last))
    else:
        first, last = float(first), float(last)
    counts = _call_kernel(_k.run_histogram, arr, edges.astype(np.float64), first, last)
    return counts, edges
