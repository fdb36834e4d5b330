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

import math
import numbers

import numpy as np

from . import _validate as v
from ._context import call_kernel
from ._cyx import _loops as _k
from ._cyx._loops import ReduceKind
from ._loops_args import (
    _broadcast_pair,
    _check_out,
    _floating,
    _native,
    _number,
    _reduce,
    _scan_axis,
    _to_last,
)
from ._loops_ranges import clip, histogram
from ._registry import kernel

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
    return _reduce(ReduceKind.sum, arr, axis, keepdims)


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
    return _reduce(ReduceKind.mean, arr, axis, keepdims)


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
    return _reduce(ReduceKind.var, arr, axis, keepdims, param=d)


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
    return _reduce(ReduceKind.std_, arr, axis, keepdims, param=d)


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
    return _reduce(ReduceKind.min, arr, axis, keepdims, empty_error="min")


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
    return _reduce(ReduceKind.max, arr, axis, keepdims, empty_error="max")


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
    return _reduce(ReduceKind.argmin, arr, axis, keepdims, empty_error="argmin")


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
    return _reduce(ReduceKind.argmax, arr, axis, keepdims, empty_error="argmax")


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
    x, y = v.common(x, y)
    return _reduce(ReduceKind.dot, x, None, False, y=y)


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
    return _reduce(ReduceKind.sqdist, x, axis, keepdims, y=y)


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
        kind = ReduceKind.norm1
    elif ord == 2:
        kind = ReduceKind.norm2
    elif ord == math.inf:
        kind = ReduceKind.norminf
    else:
        raise ValueError(f"ord: expected 1, 2 or inf, got {ord!r}")
    return _reduce(
        kind,
        arr,
        axis,
        keepdims,
        empty_error="norm(ord=inf)" if kind is ReduceKind.norminf else None,
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
    return _reduce(ReduceKind.logsumexp, arr, axis, keepdims)


# ------------------------------------------------------------------ array results


@kernel
def softmax(x, axis=-1):
    """``exp(x - max) / sum(exp(x - max))`` along ``axis`` (default: the last
    one; ``None``: the whole array), as ``scipy.special.softmax``. A slice
    whose max is not finite is all NaN, as in SciPy. A 0-d x is its one
    element (axis None, 0 or -1 alike): the result is 1.0 (NaN if x is not
    finite), a 0-d array.

    Note: ``scipy.special.softmax`` defaults to ``axis=None``; this default
    is the last axis.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.softmax(np.array([0.0, np.log(3.0)])).round(6).tolist()
    [0.25, 0.75]
    """
    arr = _floating(x, "x")
    ax = _scan_axis(axis, arr.ndim)
    out = np.empty(arr.shape, arr.dtype)
    if ax is None:
        call_kernel(_k.run_softmax, arr, out, 0)
    else:
        call_kernel(_k.run_softmax, _to_last(arr, ax), _to_last(out, ax), arr.ndim - 1)
    return out


@kernel
def cumsum(x, axis=None):
    """Running sum along ``axis`` (``None``: of the flattened array, C order),
    as ``np.cumsum``: int32/int64 give int64 (wrapping), floats keep their
    dtype and accumulate in float64. A 0-d x gives its one element as a
    1-d array, for axis None, 0 or -1 alike.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.cumsum(np.array([[1, 2], [3, 4]], dtype=np.int32)).tolist()
    [1, 3, 6, 10]
    >>> gilfree.cumsum(np.array([[1.0, 2.0], [3.0, 4.0]]), axis=0).tolist()
    [[1.0, 2.0], [4.0, 6.0]]
    """
    arr = _native(x, "x")
    ax = _scan_axis(axis, arr.ndim)
    out = np.empty(arr.shape, _k.cumsum_result_dtype(arr))
    if ax is None:
        call_kernel(_k.run_cumsum, arr, out, 0)
        return out.reshape(-1)
    call_kernel(_k.run_cumsum, _to_last(arr, ax), _to_last(out, ax), arr.ndim - 1)
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
    call_kernel(_k.run_axpy, a, xc, yc, res)
    return res


# clip and histogram live in _loops_ranges; their examples run with this module's
__test__ = {"clip": clip, "histogram": histogram}
