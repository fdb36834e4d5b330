"""Typed loops: fused single-pass reductions and elementwise kernels.

NumPy expressions such as ``np.sum((a - b) ** 2)`` build temporaries and
pass over memory several times; these kernels read each element once, on
all cores, without the GIL.

- Dtypes int32, int64, float32 and float64 are read natively (no
  conversion copy); anything else is a TypeError. Float-valued results
  (``mean``, ``var``, ``norm``, ...) of integer input are float64, of
  float32 input float32. ``softmax`` and ``axpy`` convert integers to
  float64 first.
- ``axis`` is None (the whole array) or an int (negative allowed), and for
  sum, mean, var, std, min, max, logsumexp and softmax a tuple of ints
  too (for norm a pair: a matrix norm); any strides and views work
  without copying the array. sum, mean, var, std, min, max,
  argmin and argmax take NumPy's arguments in NumPy's order (``dtype=``,
  ``out=``, ``keepdims``; see each one).
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
from typing import Any, Literal, TypeAlias, overload

import numpy as np
import numpy.typing as npt

from . import _validate as v
from ._cyx._loops import ReduceKind
from ._loops_args import (
    AxesLike,
    AxisLike,
    NativeScalar,
    Reduced,
    _as,
    _axes,
    _broadcast_pair,
    _common_whole,
    _native,
    _operand,
    _reduce,
    _reduce_pair,
    _whole,
)
from ._loops_ranges import axpy, clip, cumsum, histogram, softmax
from ._loops_reduce import argmax, argmin, max, mean, min, std, sum, var
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
@_common_whole(ReduceKind.dot, pair=True, keywords=())
def dot(a: npt.ArrayLike, b: npt.ArrayLike) -> NativeScalar:
    """Inner product of two 1-d arrays, as ``np.dot``.

    Mixed dtypes are promoted as NumPy does; integer products wrap around in
    the result dtype (int32 stays int32), floats accumulate in float64.

    Parameters
    ----------
    a, b : array_like
        1-d arrays of equal length: bool, integers or floats (the dtype policy).

    Returns
    -------
    numpy.signedinteger or numpy.floating
        The inner product, a NumPy scalar of the promoted dtype.

    Raises
    ------
    TypeError
        If a or b has another dtype.
    ValueError
        If a or b is not 1-d, or their lengths differ.

    See Also
    --------
    numpy.dot, sqdist

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.dot(np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]))
    np.float64(32.0)
    """
    x, ga = _operand(a, "a")
    y, gb = _operand(b, "b")
    dt = np.result_type(ga, gb)
    if dt.kind == "f":  # uint64 with a signed or float dtype: NumPy computes in float64
        x, y = _native(a, "a"), _native(b, "b")
    if x.ndim != 1:
        raise ValueError(f"a: expected a 1-d array, got {x.ndim}-d")
    if y.ndim != 1:
        raise ValueError(f"b: expected a 1-d array, got {y.ndim}-d")
    if y.shape != x.shape:
        raise ValueError(f"b: expected length {x.shape[0]} (the length of a), got {y.shape[0]}")
    x, y = v.common(x, y)
    return _as(_reduce(ReduceKind.dot, x, None, False, y=y), v.arith_dtype(dt))


@overload
def sqdist(
    a: npt.ArrayLike, b: npt.ArrayLike, axis: None = None, keepdims: Literal[False] = False
) -> np.floating[Any]: ...
@overload
def sqdist(
    a: npt.ArrayLike, b: npt.ArrayLike, axis: AxisLike = None, keepdims: bool = False
) -> Reduced[np.floating[Any]]: ...


@kernel
@_common_whole(ReduceKind.sqdist, pair=True)
def sqdist(
    a: npt.ArrayLike, b: npt.ArrayLike, axis: AxisLike = None, keepdims: bool = False
) -> Reduced[np.floating[Any]]:
    """Squared Euclidean distance ``sum((a - b)**2)`` in one pass.

    Without the temporaries of the NumPy expression. a and b broadcast
    together; the result is float64 (float32 when both are float32).

    Parameters
    ----------
    a, b : array_like
        Arrays that broadcast together: bool, integers or floats (the dtype policy).
    axis : int, optional
        Axis to reduce (negative counts from the last); None, the default,
        reduces the whole (broadcast) array.
    keepdims : bool, default False
        Keep the reduced axis in the result, with length 1.

    Returns
    -------
    numpy.floating or numpy.ndarray
        A NumPy scalar for ``axis=None`` (or 1-d operands) without
        ``keepdims``, else an array.

    Raises
    ------
    TypeError
        If a or b has another dtype, or axis is not an int.
    ValueError
        If a and b do not broadcast together, or axis is out of range
        (numpy.exceptions.AxisError).

    See Also
    --------
    norm, dot

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


OrdLike: TypeAlias = float | np.integer[Any] | np.floating[Any] | Literal["fro", "f"] | None


@overload
def norm(
    x: npt.ArrayLike, ord: OrdLike = None, axis: None = None, keepdims: Literal[False] = False
) -> np.floating[Any]: ...
@overload
def norm(
    x: npt.ArrayLike, ord: OrdLike = None, axis: AxesLike = None, keepdims: bool = False
) -> Reduced[np.floating[Any]]: ...


_NORM_KINDS = {1: ReduceKind.norm1, 2: ReduceKind.norm2, math.inf: ReduceKind.norminf}
_NORM_KINDS.update({0: ReduceKind.norm0, -math.inf: ReduceKind.normneginf})
_FROBENIUS = ("fro", "f")


def _norm_ord(ord: object) -> float | str | None:
    """np.linalg.norm's ord checked: None, a string, or a real number as a float."""
    if ord is None or isinstance(ord, str):
        return ord
    if isinstance(ord, (bool, np.bool_)) or not isinstance(ord, numbers.Real):
        raise TypeError(f"ord: expected None, a real number or 'fro', got {type(ord).__name__}")
    p = float(ord)
    if p != p:
        raise ValueError("ord: expected a number, got nan")
    return p


def _norm_axes(ord: float | str | None, ndim: int, axis: object) -> tuple[int, ...] | None:
    """The axes np.linalg.norm reduces: None for the flattened 2-norm it takes as a
    shortcut (ord None; 'fro' of a 2-d x; 2 of a 1-d x), else one axis (a vector
    norm) or two (a matrix norm); other counts are a ValueError, as in NumPy."""
    if axis is None:
        if ord is None or (ord in _FROBENIUS and ndim == 2) or (ord == 2 and ndim == 1):
            return None
        axes: tuple[int, ...] = tuple(range(ndim))
    else:
        axes = _axes(axis if isinstance(axis, tuple) else (axis,), ndim, multi=True) or ()
        if isinstance(axis, tuple):  # the order matters to a matrix norm: (rows, columns)
            axes = tuple(int(a) % ndim for a in axis)
    if len(axes) not in (1, 2) and axis is None:
        msg = f"x: improper number of dimensions to norm ({ndim}-d with ord={ord!r} and axis=None)"
        raise ValueError(msg)
    if len(axes) not in (1, 2):
        raise ValueError(f"axis: improper number of dimensions to norm ({len(axes)} axes, not 1 or 2)")
    return axes


def _matrix_norm(arr: np.ndarray, ord: float | str | None, rows: int, cols: int, keep: bool) -> Any:
    """np.linalg.norm's matrix norms over axes (rows, cols): Frobenius, and the
    largest (smallest) absolute column (1, -1) or row (inf, -inf) sum."""
    if ord is None or ord in _FROBENIUS:
        res = _reduce(ReduceKind.norm2, arr, (rows, cols), False, multi=True)
    elif ord in (1.0, -1.0, math.inf, -math.inf):
        along, across = (rows, cols) if abs(ord) == 1 else (cols, rows)  # type: ignore[arg-type]
        sums = np.asarray(_reduce(ReduceKind.norm1, arr, along, False))
        across -= across > along
        if ord > 0 and sums.shape[across] == 0:  # type: ignore[operator]  # NumPy's max(initial=0)
            res = np.zeros(sums.shape[:across] + sums.shape[across + 1 :], sums.dtype)
        else:
            pick, name = (ReduceKind.max, "maximum") if ord > 0 else (ReduceKind.min, "minimum")  # type: ignore[operator]
            res = _reduce(pick, sums, across, False, empty_error=name)
    else:
        raise ValueError(
            f"ord: {ord!r} over two axes is a matrix norm gilfree does not compute (2, -2 and 'nuc' need "
            "singular values: numpy.linalg.norm); it takes None, 'fro', 1, -1, inf and -inf"
        )
    if keep:
        res = np.asarray(res).reshape([1 if d in (rows, cols) else n for d, n in enumerate(arr.shape)])
    return res


@kernel
@_common_whole(ReduceKind.norm2)
def norm(
    x: npt.ArrayLike, ord: OrdLike = None, axis: AxesLike = None, keepdims: bool = False
) -> Reduced[np.floating[Any]]:
    """Vector or matrix norm, as ``np.linalg.norm``.

    Over one axis (an int ``axis``, or ``axis=None`` with a 1-d x), a vector
    norm: ``ord`` None or 2 (Euclidean), 1 (sum of ``|x|``), ``inf``
    (largest ``|x|``), ``-inf`` (smallest), 0 (the number of nonzero
    elements) or any other p, ``sum(|x|**p)**(1/p)`` (negative p too).
    Over two axes (a pair ``axis=(rows, cols)``, or ``axis=None`` with a 2-d
    x), a matrix norm: None or 'fro' (Frobenius), 1 (-1) the largest
    (smallest) column sum of ``|x|``, ``inf`` (``-inf``) the largest
    (smallest) row sum (an empty matrix's largest sum is 0, as NumPy's).
    The matrix norms from singular values (2, -2, 'nuc') are a ValueError:
    use ``numpy.linalg.norm``. ``ord=None`` with ``axis=None`` is the
    2-norm of the flattened x, whatever its ndim (as NumPy).

    The 2-norm scales each block by a power of two, so it neither overflows
    nor underflows (``norm([1e200, 1e200]) == 1.414...e200``); other p are
    computed as NumPy does (``|x|**p`` may overflow to inf).

    Parameters
    ----------
    x : array_like
        Input data: bool, integers or floats (the README's dtype policy).
    ord : {None, 1, 2, inf, -inf, 0, float, 'fro'}, optional
        Which norm (default: the 2-norm, Frobenius for a matrix).
    axis : int or (int, int), optional
        Axis of the vector norm, or the (rows, columns) axes of a matrix
        norm (negative counts from the last); None, the default: x's
        axes (the flattened 2-norm for ``ord=None``).
    keepdims : bool, default False
        Keep the reduced axes in the result, with length 1.

    Returns
    -------
    numpy.floating or numpy.ndarray
        The norm: float32 for float32 x, else float64; a NumPy scalar for
        ``axis=None`` (or a 1-d x) without ``keepdims``.

    Raises
    ------
    TypeError
        If x has a dtype the policy rejects (complex, object, str), ord is
        not a number, None or a string, or axis is not an int or a tuple
        of ints.
    ValueError
        If ord is NaN, a string for a vector norm, a matrix norm from
        singular values (2, -2, 'nuc') or another number for a matrix;
        axis names other than one or two axes (ord given with
        ``axis=None`` for a 0-d or n-d x, n > 2) or one axis twice; or
        the norm is a maximum or minimum over nothing (ord +-inf of an
        empty vector).
    numpy.exceptions.AxisError
        If an axis is out of range.

    See Also
    --------
    numpy.linalg.norm, sqdist

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.norm(np.array([3.0, 4.0]))
    np.float64(5.0)
    >>> float(gilfree.norm(np.array([3e300, 4e300])))
    5e+300
    >>> gilfree.norm(np.array([-3, 1]), ord=np.inf)
    np.float64(3.0)
    >>> gilfree.norm(np.array([[1.0, 0.0], [2.0, 2.0]]), ord=0, axis=1).tolist()
    [1.0, 2.0]
    >>> float(gilfree.norm(np.array([1.0, 2.0]), ord=3))
    2.080083823051904
    >>> m = np.array([[1.0, -2.0], [3.0, 4.0]])
    >>> float(gilfree.norm(m, ord=1)), float(gilfree.norm(m, ord=np.inf))  # column / row sums
    (6.0, 7.0)
    >>> gilfree.norm(np.stack([m, 2 * m]), axis=(1, 2)).round(6).tolist()  # Frobenius, per matrix
    [5.477226, 10.954451]
    """
    arr = _native(x, "x")
    p = _norm_ord(ord)
    axes = _norm_axes(p, arr.ndim, axis)
    keep = v.flag(keepdims, "keepdims")
    if axes is None:  # the flattened 2-norm
        return _reduce(ReduceKind.norm2, arr, None, keep)
    if len(axes) == 2:
        return _matrix_norm(arr, p, axes[0], axes[1], keep)
    if isinstance(p, str):
        raise ValueError(f"ord: {p!r} is a matrix norm; a vector norm's ord is None or a number")
    kind = ReduceKind.norm2 if p is None else _NORM_KINDS.get(p, ReduceKind.normp)
    empty = {ReduceKind.norminf: "norm(ord=inf)", ReduceKind.normneginf: "norm(ord=-inf)"}
    return _reduce(kind, arr, axes[0], keep, param=p or 0.0, empty_error=empty.get(kind))


@overload
def logsumexp(
    x: npt.ArrayLike,
    axis: None = None,
    b: npt.ArrayLike | None = None,
    keepdims: Literal[False] = False,
    return_sign: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
def logsumexp(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    b: npt.ArrayLike | None = None,
    keepdims: bool = False,
    return_sign: Literal[False] = False,
) -> Reduced[np.floating[Any]]: ...
@overload
def logsumexp(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    b: npt.ArrayLike | None = None,
    keepdims: bool = False,
    *,
    return_sign: Literal[True],
) -> tuple[Reduced[np.floating[Any]], Reduced[np.floating[Any]]]: ...
@overload
def logsumexp(
    x: npt.ArrayLike,
    axis: AxesLike,
    b: npt.ArrayLike | None,
    keepdims: bool,
    return_sign: Literal[True],
) -> tuple[Reduced[np.floating[Any]], Reduced[np.floating[Any]]]: ...


@kernel
@_common_whole(ReduceKind.logsumexp)
def logsumexp(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    b: npt.ArrayLike | None = None,
    keepdims: bool = False,
    return_sign: bool = False,
) -> Reduced[np.floating[Any]] | tuple[Reduced[np.floating[Any]], Reduced[np.floating[Any]]]:
    """``log(sum(b * exp(x)))`` without overflow, as ``scipy.special.logsumexp``.

    One pass that keeps a running (max, scaled sum) per block. +inf gives
    inf, NaN gives NaN, all -inf (or empty) gives -inf. With ``b``: elements
    whose b is 0 take no part (even an infinite or NaN x), the sum may be
    negative (a NaN result, or ``log|sum|`` and its sign with
    ``return_sign=True``), and an exact zero sum gives -inf (sign 0); as
    SciPy, an empty x gives ``(-inf, -1.0)`` with ``return_sign=True``.

    Parameters
    ----------
    x : array_like
        Input data: bool, integers or floats (the README's dtype policy).
    axis : int or tuple of ints, optional
        Axis or axes to reduce (negative counts from the last); None, the
        default, reduces the whole array.
    b : array_like, optional
        Scale factors of ``exp(x)``, broadcast with x (the result takes the
        broadcast shape); negative values subtract, zeros drop elements.
    keepdims : bool, default False
        Keep the reduced axes in the result, with length 1.
    return_sign : bool, default False
        Return ``(log|sum|, sign)`` instead of the log (NaN for a negative sum).

    Returns
    -------
    res : numpy.floating or numpy.ndarray
        The result: float32 when x (and b) are float32, else float64; a
        NumPy scalar for ``axis=None`` (or a 1-d x) without ``keepdims``.
    sgn : numpy.floating or numpy.ndarray
        Only with ``return_sign=True``: the sign of the sum, +1.0, -1.0, 0.0
        (a zero sum) or NaN, of res's dtype and shape.

    Raises
    ------
    TypeError
        If x or b has a dtype the policy rejects (complex, object, str), or
        axis is not an int or a tuple of ints.
    ValueError
        If b does not broadcast with x, or axis names an axis twice.
    numpy.exceptions.AxisError
        If axis is out of range.

    See Also
    --------
    scipy.special.logsumexp, softmax

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> float(gilfree.logsumexp(np.array([1000.0, 1000.0])))  # no overflow
    1000.6931471805599
    >>> res, sgn = gilfree.logsumexp(np.array([1.0, 2.0]), b=np.array([1.0, -1.0]), return_sign=True)
    >>> round(float(res), 6), float(sgn)
    (1.541325, -1.0)
    >>> gilfree.logsumexp(np.zeros((2, 3, 4)), axis=(0, 2)).round(6).tolist()  # log(8)
    [2.079442, 2.079442, 2.079442]
    """
    if b is None and return_sign is False:
        if (r := _whole(ReduceKind.logsumexp, x, axis, keepdims, None, None)) is not None:
            return r
    signed = v.flag(return_sign, "return_sign")
    arr = _native(x, "x")
    if b is None and not signed:
        return _reduce(ReduceKind.logsumexp, arr, axis, keepdims, multi=True)
    if b is None:  # the sign needs the weighted kernel: b = 1 everywhere (a broadcast view)
        xb, bb = _broadcast_pair(arr, np.ones(1, arr.dtype), "x", "b")
    else:
        barr, bgiven = _operand(b, "b", "real")
        if bgiven.kind == "b":  # bool scale factors promote as NumPy's (float32 x stays float32)
            barr = barr.astype(arr.dtype)
        xb, bb = _broadcast_pair(arr, barr, "x", "b")
    return _reduce_pair(ReduceKind.logsumexp_b, xb, axis, keepdims, bb, float(signed), signed)


# the array results live in _loops_ranges; their examples run with this module's
__test__ = {f.__name__: f for f in (axpy, clip, cumsum, histogram, softmax)}
