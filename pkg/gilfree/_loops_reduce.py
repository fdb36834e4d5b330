"""The NumPy-named reductions of gilfree.loops: sum, mean, var, std, min, max,
argmin, argmax, with NumPy's signatures (positional order, tuple axis, dtype=,
out=, keepdims). Argument policy (axes, dtype=, out=) is in _loops_args."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

import numpy as np
import numpy.typing as npt

from . import _validate as v
from ._cyx._loops import ReduceKind
from ._loops_args import (
    AxesLike,
    AxisLike,
    DTypeArg,
    NativeScalar,
    OutArray,
    RealLike,
    Reduced,
    SumScalar,
    _as,
    _common_whole,
    _deliver,
    _dtype_arg,
    _native,
    _operand,
    _reduce,
    _sum_result,
    _whole,
    _widened,
)
from ._registry import kernel

_F = TypeVar("_F", bound=Callable[..., Any])

# The numpydoc sections the reductions share, written once and inserted into
# each one's docstring before its Examples by _doc.
_X = "    x : array_like\n        Input data: bool, integers or floats (the README's dtype policy).\n"
_AXES = """\
    axis : int or tuple of ints, optional
        Axis or axes to reduce (negative counts from the last); None, the
        default, reduces the whole array.
"""
_AXIS = """\
    axis : int, optional
        Axis to reduce (negative counts from the last); None, the default,
        reduces the (flattened) array.
"""
_DTYPE = """\
    dtype : dtype, optional
        The result's dtype{ints} (NumPy's meaning is the accumulator's too:
        gilfree always accumulates in float64, so dtype= changes the result's
        dtype only{cast}). float32 input with a float64 dtype is converted
        first (a copy), so the result keeps float64's precision.
"""
_SUM_CAST = (
    "; with an integer or bool dtype the input is first cast to it, as NumPy "
    "does, and the sum wraps in that dtype"
)
_OUT = """\
    out : numpy.ndarray, optional
        A preallocated array of the result's shape (with ``keepdims``, the
        kept axes of length 1) to write the result into; it is returned. Its
        dtype may be any the result casts to with ``casting='same_kind'``
        (NumPy's ``out=`` of a reduction casts unsafely). Checked before the
        kernel runs (an ndarray, shape, writeable, distinct elements, no
        memory shared with x) and its dtype before the result is written.
"""
_KEEPDIMS = """\
    keepdims : bool, default False
        Keep the reduced axes in the result, with length 1.
"""
_DDOF = """\
    ddof : float, default 0
        Delta degrees of freedom: the divisor is ``n - ddof``.
"""
_EMPTY = "    ValueError\n        If the reduction is empty (it has no identity).\n"


def _doc(
    scalar: str,
    see_also: str,
    *,
    tuple_axis: bool = True,
    dtype: str = "",
    ddof: bool = False,
    empty: bool = False,
) -> Callable[[_F], _F]:
    """Adds the Parameters, Returns, Raises and See Also sections of a reduction
    (result: a NumPy scalar of type ``scalar`` or an array). dtype: "" (no
    dtype=), "float" or "sum" (bool and integers too)."""
    params = _X + (_AXES if tuple_axis else _AXIS)
    if dtype == "float":
        params += _DTYPE.format(ints=" (float16, float32 or float64)", cast="")
    elif dtype == "sum":
        params += _DTYPE.format(ints=" (bool, an integer or a float)", cast=_SUM_CAST)
    params += _OUT + (_DDOF if ddof else "") + _KEEPDIMS
    bad_types = "the policy rejects (complex, object, str), axis is not an int"
    bad_types += " or a tuple of ints" if tuple_axis else ""
    bad_types += ", dtype is not one the function takes" if dtype else ""
    raises = (
        f"    TypeError\n        If x has a dtype {bad_types}, out is not an ndarray, or the\n"
        "        result does not cast to out's dtype with casting='same_kind'.\n"
        "    numpy.exceptions.AxisError\n        If axis is out of range.\n"
        "    ValueError\n        If out has another shape, is read-only, has overlapping elements or\n"
        f"        shares memory with x{', or an axis is repeated' if tuple_axis else ''}"
        f"{', or ddof is not a finite number' if ddof else ''}.\n" + (_EMPTY if empty else "")
    )
    sections = (
        f"    Parameters\n    ----------\n{params}\n"
        f"    Returns\n    -------\n    {scalar} or numpy.ndarray\n"
        "        A NumPy scalar when every axis is reduced without ``keepdims``,\n"
        "        else an array; ``out`` itself when given.\n\n"
        f"    Raises\n    ------\n{raises}\n"
        f"    See Also\n    --------\n    {see_also}\n\n"
    )

    def add(fn: _F) -> _F:
        doc = fn.__doc__ or ""
        at = doc.index("    Examples\n")
        fn.__doc__ = doc[:at] + sections + doc[at:]
        return fn

    return add


def _float_input(x: object, dt: np.dtype | None) -> np.ndarray:
    """mean/var/std's operand: x in a kernel dtype, float32 widened for a float64 dtype=."""
    return _widened(_native(x, "x"), dt)


# ------------------------------------------------------------------ sum


@overload
def sum(
    x: npt.ArrayLike,
    axis: None = None,
    dtype: None = None,
    out: None = None,
    keepdims: Literal[False] = False,
) -> SumScalar: ...
@overload
def sum(
    x: npt.ArrayLike, axis: AxesLike, dtype: DTypeArg, out: OutArray, keepdims: bool = False
) -> OutArray: ...
@overload
def sum(
    x: npt.ArrayLike, axis: AxesLike = None, dtype: DTypeArg = None, *, out: OutArray, keepdims: bool = False
) -> OutArray: ...
@overload
def sum(
    x: npt.ArrayLike, axis: AxesLike = None, dtype: None = None, out: None = None, keepdims: bool = False
) -> Reduced[SumScalar]: ...
@overload
def sum(
    x: npt.ArrayLike, axis: AxesLike = None, dtype: DTypeArg = None, out: None = None, keepdims: bool = False
) -> Reduced[Any]: ...


@kernel
@_common_whole(ReduceKind.sum)
@_doc("numpy.int64 or numpy.floating", "numpy.sum, mean, cumsum", dtype="sum")
def sum(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    out: npt.NDArray[Any] | None = None,
    keepdims: bool = False,
) -> Any:
    """Sum of the elements, as ``np.sum``.

    int32 and int64 sum to int64 (wrapping on overflow, as NumPy does on
    Linux); float32 and float64 keep their dtype and are summed pairwise in
    float64 (at least as accurate as ``np.sum``).

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.sum(np.arange(10, dtype=np.int32))
    np.int64(45)
    >>> gilfree.sum(np.ones((2, 3, 4)), axis=(0, 2)).tolist()
    [8.0, 8.0, 8.0]
    >>> gilfree.sum(np.arange(4), dtype=np.float32)
    np.float32(6.0)
    """
    if (r := _whole(ReduceKind.sum, x, axis, keepdims, dtype, out)) is not None:
        return r
    dt = _dtype_arg(dtype, ints=True)
    if dt is not None and dt.kind != "f":  # NumPy casts the input to an integer dtype first
        arr, given = _operand(_operand(x, "x")[0].astype(dt, copy=False), "x")
    elif dt is not None:  # a float dtype: integers are summed as float64, not wrapping
        arr = _widened(v.converted(x, "x", "float")[0], dt)
        given = arr.dtype
    else:
        arr, given = _operand(x, "x")
    res = _reduce(ReduceKind.sum, arr, axis, keepdims, multi=True, zero_d=True, out=out)
    return _deliver(_sum_result(res, given), out, dt)


# ------------------------------------------------------------------ mean, var, std


@overload
def mean(
    x: npt.ArrayLike,
    axis: None = None,
    dtype: None = None,
    out: None = None,
    keepdims: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
def mean(
    x: npt.ArrayLike, axis: AxesLike, dtype: DTypeArg, out: OutArray, keepdims: bool = False
) -> OutArray: ...
@overload
def mean(
    x: npt.ArrayLike, axis: AxesLike = None, dtype: DTypeArg = None, *, out: OutArray, keepdims: bool = False
) -> OutArray: ...
@overload
def mean(
    x: npt.ArrayLike, axis: AxesLike = None, dtype: DTypeArg = None, out: None = None, keepdims: bool = False
) -> Reduced[np.floating[Any]]: ...


@kernel
@_common_whole(ReduceKind.mean)
@_doc("numpy.floating", "numpy.mean, sum, var", dtype="float")
def mean(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    out: npt.NDArray[Any] | None = None,
    keepdims: bool = False,
) -> Any:
    """Arithmetic mean, as ``np.mean`` (float64 for integer input).

    An empty reduction is NaN (without NumPy's RuntimeWarning).

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.mean(np.array([1, 2, 3, 4]))
    np.float64(2.5)
    >>> gilfree.mean(np.arange(6.0).reshape(2, 3), (0, 1), np.float32)
    np.float32(2.5)
    """
    if (r := _whole(ReduceKind.mean, x, axis, keepdims, dtype, out)) is not None:
        return r
    dt = _dtype_arg(dtype, ints=False)
    res = _reduce(ReduceKind.mean, _float_input(x, dt), axis, keepdims, multi=True, out=out)
    return _deliver(res, out, dt)


@overload
def var(
    x: npt.ArrayLike,
    axis: None = None,
    dtype: None = None,
    out: None = None,
    ddof: RealLike = 0,
    keepdims: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
def var(
    x: npt.ArrayLike,
    axis: AxesLike,
    dtype: DTypeArg,
    out: OutArray,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> OutArray: ...
@overload
def var(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    *,
    out: OutArray,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> OutArray: ...
@overload
def var(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    out: None = None,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> Reduced[np.floating[Any]]: ...


@kernel
@_common_whole(ReduceKind.var)
@_doc("numpy.floating", "numpy.var, std, mean", dtype="float", ddof=True)
def var(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    out: npt.NDArray[Any] | None = None,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> Any:
    """Variance, as ``np.var``: ``sum((x - mean)**2) / (n - ddof)``.

    One pass over memory: each block of 1024 elements is reduced to (count,
    mean, sum of squared deviations) from its sums about a pivot near its
    mean (the mean of its first 16 elements; a block where that would lose
    digits is reduced again in two passes, from cache), and blocks are
    merged pairwise with Chan's formula, so data with a large offset
    (``1e9 + noise``) keeps its accuracy. ``n - ddof <= 0`` gives
    inf or NaN, an empty reduction NaN (without NumPy's RuntimeWarning).

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.var(np.array([1.0, 2.0, 3.0, 4.0]))
    np.float64(1.25)
    >>> float(gilfree.var(1e9 + np.array([1.0, 2.0, 3.0, 4.0]), ddof=1))
    1.6666666666666667
    """
    if (r := _whole(ReduceKind.var, x, axis, keepdims, dtype, out, ddof)) is not None:
        return r
    dt = _dtype_arg(dtype, ints=False)
    arr = _float_input(x, dt)
    d = v.real(ddof, "ddof")
    return _deliver(_reduce(ReduceKind.var, arr, axis, keepdims, param=d, multi=True, out=out), out, dt)


@overload
def std(
    x: npt.ArrayLike,
    axis: None = None,
    dtype: None = None,
    out: None = None,
    ddof: RealLike = 0,
    keepdims: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
def std(
    x: npt.ArrayLike,
    axis: AxesLike,
    dtype: DTypeArg,
    out: OutArray,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> OutArray: ...
@overload
def std(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    *,
    out: OutArray,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> OutArray: ...
@overload
def std(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    out: None = None,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> Reduced[np.floating[Any]]: ...


@kernel
@_common_whole(ReduceKind.std_)
@_doc("numpy.floating", "numpy.std, var", dtype="float", ddof=True)
def std(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    out: npt.NDArray[Any] | None = None,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> Any:
    """Standard deviation, ``sqrt(var(x, axis, dtype, ddof=ddof))``, as ``np.std``.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.std(np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]))
    np.float64(2.0)
    """
    if (r := _whole(ReduceKind.std_, x, axis, keepdims, dtype, out, ddof)) is not None:
        return r
    dt = _dtype_arg(dtype, ints=False)
    arr = _float_input(x, dt)
    d = v.real(ddof, "ddof")
    return _deliver(_reduce(ReduceKind.std_, arr, axis, keepdims, param=d, multi=True, out=out), out, dt)


# ------------------------------------------------------------------ min, max


@overload
def min(
    x: npt.ArrayLike, axis: None = None, out: None = None, keepdims: Literal[False] = False
) -> NativeScalar: ...
@overload
def min(x: npt.ArrayLike, axis: AxesLike, out: OutArray, keepdims: bool = False) -> OutArray: ...
@overload
def min(x: npt.ArrayLike, axis: AxesLike = None, *, out: OutArray, keepdims: bool = False) -> OutArray: ...
@overload
def min(
    x: npt.ArrayLike, axis: AxesLike = None, out: None = None, keepdims: bool = False
) -> Reduced[NativeScalar]: ...


@kernel
@_common_whole(ReduceKind.min)
@_doc("numpy.signedinteger or numpy.floating", "numpy.min, max, argmin, clip", empty=True)
def min(
    x: npt.ArrayLike, axis: AxesLike = None, out: npt.NDArray[Any] | None = None, keepdims: bool = False
) -> Any:
    """Smallest element, as ``np.min``.

    NaN propagates; an empty reduction is a ValueError.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.min(np.array([3, 1, 2], dtype=np.int32))
    np.int32(1)
    >>> gilfree.min(np.array([1.0, np.nan, 0.0]))
    np.float64(nan)
    """
    if (r := _whole(ReduceKind.min, x, axis, keepdims, None, out)) is not None:
        return r
    arr, given = _operand(x, "x")
    res = _reduce(
        ReduceKind.min,
        v.order_key(arr, given),
        axis,
        keepdims,
        empty_error="min",
        multi=True,
        zero_d=True,
        out=out,
    )
    return _deliver(_as(v.order_key(res, given), given), out)


@overload
def max(
    x: npt.ArrayLike, axis: None = None, out: None = None, keepdims: Literal[False] = False
) -> NativeScalar: ...
@overload
def max(x: npt.ArrayLike, axis: AxesLike, out: OutArray, keepdims: bool = False) -> OutArray: ...
@overload
def max(x: npt.ArrayLike, axis: AxesLike = None, *, out: OutArray, keepdims: bool = False) -> OutArray: ...
@overload
def max(
    x: npt.ArrayLike, axis: AxesLike = None, out: None = None, keepdims: bool = False
) -> Reduced[NativeScalar]: ...


@kernel
@_common_whole(ReduceKind.max)
@_doc("numpy.signedinteger or numpy.floating", "numpy.max, min, argmax, clip", empty=True)
def max(
    x: npt.ArrayLike, axis: AxesLike = None, out: npt.NDArray[Any] | None = None, keepdims: bool = False
) -> Any:
    """Largest element, as ``np.max``.

    NaN propagates; an empty reduction is a ValueError.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.max(np.array([[1, 5], [7, 2]]), axis=1).tolist()
    [5, 7]
    >>> out = np.empty(2)
    >>> gilfree.max(np.arange(8).reshape(2, 2, 2), (1, 2), out) is out, out.tolist()
    (True, [3.0, 7.0])
    """
    if (r := _whole(ReduceKind.max, x, axis, keepdims, None, out)) is not None:
        return r
    arr, given = _operand(x, "x")
    res = _reduce(
        ReduceKind.max,
        v.order_key(arr, given),
        axis,
        keepdims,
        empty_error="max",
        multi=True,
        zero_d=True,
        out=out,
    )
    return _deliver(_as(v.order_key(res, given), given), out)


# ------------------------------------------------------------------ argmin, argmax


@overload
def argmin(
    x: npt.ArrayLike, axis: None = None, out: None = None, *, keepdims: Literal[False] = False
) -> np.int64: ...
@overload
def argmin(x: npt.ArrayLike, axis: AxisLike, out: OutArray, *, keepdims: bool = False) -> OutArray: ...
@overload
def argmin(x: npt.ArrayLike, axis: AxisLike = None, *, out: OutArray, keepdims: bool = False) -> OutArray: ...
@overload
def argmin(
    x: npt.ArrayLike, axis: AxisLike = None, out: None = None, *, keepdims: bool = False
) -> Reduced[np.int64]: ...


@kernel
@_common_whole(ReduceKind.argmin)
@_doc("numpy.int64", "numpy.argmin, min, argmax", tuple_axis=False, empty=True)
def argmin(
    x: npt.ArrayLike, axis: AxisLike = None, out: npt.NDArray[Any] | None = None, *, keepdims: bool = False
) -> Any:
    """Index of the first smallest element, as ``np.argmin``.

    The index of the first NaN if there is one; with ``axis=None`` an index
    into the flattened (C-order) array.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.argmin(np.array([3.0, 1.0, 1.0]))
    np.int64(1)
    """
    if (r := _whole(ReduceKind.argmin, x, axis, keepdims, None, out)) is not None:
        return r
    arr, given = _operand(x, "x")
    res = _reduce(
        ReduceKind.argmin, v.order_key(arr, given), axis, keepdims, empty_error="argmin", zero_d=True, out=out
    )
    return _deliver(res, out)


@overload
def argmax(
    x: npt.ArrayLike, axis: None = None, out: None = None, *, keepdims: Literal[False] = False
) -> np.int64: ...
@overload
def argmax(x: npt.ArrayLike, axis: AxisLike, out: OutArray, *, keepdims: bool = False) -> OutArray: ...
@overload
def argmax(x: npt.ArrayLike, axis: AxisLike = None, *, out: OutArray, keepdims: bool = False) -> OutArray: ...
@overload
def argmax(
    x: npt.ArrayLike, axis: AxisLike = None, out: None = None, *, keepdims: bool = False
) -> Reduced[np.int64]: ...


@kernel
@_common_whole(ReduceKind.argmax)
@_doc("numpy.int64", "numpy.argmax, max, argmin", tuple_axis=False, empty=True)
def argmax(
    x: npt.ArrayLike, axis: AxisLike = None, out: npt.NDArray[Any] | None = None, *, keepdims: bool = False
) -> Any:
    """Index of the first largest element, as ``np.argmax``.

    The index of the first NaN if there is one; with ``axis=None`` an index
    into the flattened (C-order) array.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.argmax(np.array([1.0, np.nan, 5.0, np.nan]))
    np.int64(1)
    >>> gilfree.argmax(np.array([[1, 9], [8, 2]]), axis=0).tolist()
    [1, 0]
    """
    if (r := _whole(ReduceKind.argmax, x, axis, keepdims, None, out)) is not None:
        return r
    arr, given = _operand(x, "x")
    res = _reduce(
        ReduceKind.argmax, v.order_key(arr, given), axis, keepdims, empty_error="argmax", zero_d=True, out=out
    )
    return _deliver(res, out)
