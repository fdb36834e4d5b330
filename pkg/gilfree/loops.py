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
  sum, mean, var, std, min and max a tuple of ints too; any strides and
  views work without copying the array. sum, mean, var, std, min, max,
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
    AxisLike,
    NativeScalar,
    Reduced,
    _as,
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


OrdLike: TypeAlias = float | np.integer[Any] | np.floating[Any] | Literal["fro"] | None


@overload
def norm(
    x: npt.ArrayLike, ord: OrdLike = None, axis: None = None, keepdims: Literal[False] = False
) -> np.floating[Any]: ...
@overload
def norm(
    x: npt.ArrayLike, ord: OrdLike = None, axis: AxisLike = None, keepdims: bool = False
) -> Reduced[np.floating[Any]]: ...


_NORM_KINDS = {1: ReduceKind.norm1, 2: ReduceKind.norm2, math.inf: ReduceKind.norminf}
_NORM_KINDS.update({0: ReduceKind.norm0, -math.inf: ReduceKind.normneginf})


def _norm_kind(ord: object, ndim: int, axis: object) -> tuple[ReduceKind, float]:
    """The reduction and its p of np.linalg.norm's vector norm `ord`; ValueError
    for what NumPy computes as a matrix norm (a 2-d x, axis None, ord given)."""
    if ord is None:
        return ReduceKind.norm2, 0.0
    if isinstance(ord, str):
        if ord == "fro" and ndim == 2 and axis is None:  # the Frobenius norm: the flattened 2-norm
            return ReduceKind.norm2, 0.0
        raise ValueError(f"ord: {ord!r} is a matrix norm gilfree does not compute; vector ords are numbers")
    if isinstance(ord, (bool, np.bool_)) or not isinstance(ord, numbers.Real):
        raise TypeError(f"ord: expected None, a real number or 'fro', got {type(ord).__name__}")
    p = float(ord)
    if p != p:
        raise ValueError("ord: expected a number, got nan")
    if axis is None and ndim != 1:
        if ndim == 2:
            raise ValueError(
                f"ord: ord={ord!r} of a 2-d x with axis=None is a matrix norm in NumPy, which gilfree "
                "does not compute; pass ord=None (the flattened 2-norm), an int axis, or x.ravel()"
            )
        msg = f"x: improper number of dimensions to norm ({ndim}-d with ord={ord!r} and axis=None)"
        raise ValueError(msg)
    kind = _NORM_KINDS.get(p, ReduceKind.normp)
    return kind, p


@kernel
def norm(
    x: npt.ArrayLike, ord: OrdLike = None, axis: AxisLike = None, keepdims: bool = False
) -> Reduced[np.floating[Any]]:
    """Vector norm, as ``np.linalg.norm`` of a vector.

    ``ord`` None or 2 (Euclidean), 1 (sum of ``|x|``), ``inf`` (largest
    ``|x|``), ``-inf`` (smallest), 0 (the number of nonzero elements) or
    any other p, ``sum(|x|**p)**(1/p)`` (negative p too). ``ord=None`` with
    ``axis=None`` is the 2-norm of the flattened x, whatever its ndim (as
    NumPy); another ord with ``axis=None`` needs a 1-d x: NumPy computes a
    matrix norm for a 2-d x there, which gilfree does not (a ValueError,
    except ``ord='fro'``, the flattened 2-norm).

    The 2-norm scales each block by a power of two, so it neither overflows
    nor underflows (``norm([1e200, 1e200]) == 1.414...e200``); other p are
    computed as NumPy does (``|x|**p`` may overflow to inf).

    Parameters
    ----------
    x : array_like
        Input data: bool, integers or floats (the README's dtype policy).
    ord : {None, 1, 2, inf, -inf, 0, float, 'fro'}, optional
        Which norm (default: the 2-norm).
    axis : int, optional
        Axis to reduce (negative counts from the last); None, the default,
        reduces the whole array.
    keepdims : bool, default False
        Keep the reduced axis in the result, with length 1.

    Returns
    -------
    numpy.floating or numpy.ndarray
        The norm: float32 for float32 x, else float64; a NumPy scalar for
        ``axis=None`` (or a 1-d x) without ``keepdims``.

    Raises
    ------
    TypeError
        If x has a dtype the policy rejects (complex, object, str), ord is
        not a number, None or 'fro', or axis is not an int.
    ValueError
        If ord is NaN, a matrix norm (ord given for a 2-d x with
        ``axis=None``, a string other than 'fro' there), ord given with
        ``axis=None`` for a 0-d or n-d (n > 2) x, or ord is +-inf and the
        reduction is empty.
    numpy.exceptions.AxisError
        If axis is out of range.

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
    """
    arr = _native(x, "x")
    kind, p = _norm_kind(ord, arr.ndim, axis)
    empty = {ReduceKind.norminf: "norm(ord=inf)", ReduceKind.normneginf: "norm(ord=-inf)"}
    return _reduce(kind, arr, axis, keepdims, param=p, empty_error=empty.get(kind))


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
    axis: AxisLike = None,
    b: npt.ArrayLike | None = None,
    keepdims: bool = False,
    return_sign: Literal[False] = False,
) -> Reduced[np.floating[Any]]: ...
@overload
def logsumexp(
    x: npt.ArrayLike,
    axis: AxisLike = None,
    b: npt.ArrayLike | None = None,
    keepdims: bool = False,
    *,
    return_sign: Literal[True],
) -> tuple[Reduced[np.floating[Any]], Reduced[np.floating[Any]]]: ...
@overload
def logsumexp(
    x: npt.ArrayLike,
    axis: AxisLike,
    b: npt.ArrayLike | None,
    keepdims: bool,
    return_sign: Literal[True],
) -> tuple[Reduced[np.floating[Any]], Reduced[np.floating[Any]]]: ...


@kernel
@_common_whole(ReduceKind.logsumexp)
def logsumexp(
    x: npt.ArrayLike,
    axis: AxisLike = None,
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
    axis : int, optional
        Axis to reduce (negative counts from the last); None, the default,
        reduces the whole array.
    b : array_like, optional
        Scale factors of ``exp(x)``, broadcast with x (the result takes the
        broadcast shape); negative values subtract, zeros drop elements.
    keepdims : bool, default False
        Keep the reduced axis in the result, with length 1.
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
        axis is not an int.
    ValueError
        If b does not broadcast with x.
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
    """
    if b is None and return_sign is False:
        if (r := _whole(ReduceKind.logsumexp, x, axis, keepdims, None, None)) is not None:
            return r
    signed = v.flag(return_sign, "return_sign")
    arr = _native(x, "x")
    if b is None and not signed:
        return _reduce(ReduceKind.logsumexp, arr, axis, keepdims)
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
