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
from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

import numpy as np
import numpy.typing as npt

from . import _validate as v
from ._cyx._loops import ReduceKind
from ._loops_args import (
    AxisLike,
    NativeScalar,
    RealLike,
    Reduced,
    _as,
    _broadcast_pair,
    _native,
    _operand,
    _reduce,
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

_F = TypeVar("_F", bound=Callable[..., Any])

# The numpydoc sections the reductions share, written once and inserted into
# each one's docstring before its Examples by _reduction_doc.
_X = "    x : array_like\n        Input data: bool, integers or floats (the README's dtype policy).\n"
_AXIS = """\
    axis : int, optional
        Axis to reduce (negative counts from the last); None, the default,
        reduces the whole array.
"""
_KEEPDIMS = """\
    keepdims : bool, default False
        Keep the reduced axis in the result, with length 1.
"""
_DDOF = """\
    ddof : float, default 0
        Delta degrees of freedom: the divisor is ``n - ddof``.
"""
_ORD = """\
    ord : {1, 2, inf}, default 2
        Which norm: the sum of ``|x|``, the Euclidean norm, or the largest ``|x|``.
"""
_BAD_DDOF = "    ValueError\n        If ddof is not a finite number.\n"
_EMPTY = "    ValueError\n        If the reduction is empty (it has no identity).\n"


def _reduction_doc(
    scalar: str, see_also: str, *, ord: bool = False, ddof: bool = False, raises: str = ""
) -> Callable[[_F], _F]:
    """Adds the Parameters, Returns, Raises and See Also sections of a
    reduction (result: a NumPy scalar of type ``scalar`` or an array)."""
    params = _X + (_ORD if ord else "") + _AXIS + (_DDOF if ddof else "") + _KEEPDIMS
    sections = (
        f"    Parameters\n    ----------\n{params}\n"
        f"    Returns\n    -------\n    {scalar} or numpy.ndarray\n"
        "        A NumPy scalar for ``axis=None`` (or a 1-d x) without ``keepdims``,\n"
        "        else an array of that dtype.\n\n"
        "    Raises\n    ------\n    TypeError\n"
        "        If x has a dtype the policy rejects (complex, object, str), or axis is not an int.\n"
        f"    numpy.exceptions.AxisError\n        If axis is out of range.\n{raises}\n"
        f"    See Also\n    --------\n    {see_also}\n\n"
    )

    def add(fn: _F) -> _F:
        doc = fn.__doc__ or ""
        at = doc.index("    Examples\n")
        fn.__doc__ = doc[:at] + sections + doc[at:]
        return fn

    return add


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


@overload
def norm(
    x: npt.ArrayLike, ord: RealLike = 2, axis: None = None, keepdims: Literal[False] = False
) -> np.floating[Any]: ...
@overload
def norm(
    x: npt.ArrayLike, ord: RealLike = 2, axis: AxisLike = None, keepdims: bool = False
) -> Reduced[np.floating[Any]]: ...


@kernel
@_reduction_doc(
    "numpy.floating",
    "numpy.linalg.norm, sqdist",
    ord=True,
    raises="    ValueError\n        If ord is not 1, 2 or inf, or ord is inf and the reduction is empty.\n",
)
def norm(
    x: npt.ArrayLike, ord: RealLike = 2, axis: AxisLike = None, keepdims: bool = False
) -> Reduced[np.floating[Any]]:
    """Vector norm, as ``np.linalg.norm`` of a vector.

    ``ord`` 1 (sum of ``|x|``), 2 (Euclidean) or ``inf`` (largest ``|x|``),
    as ``np.linalg.norm(x.ravel(), ord)`` for ``axis=None`` and
    ``np.linalg.norm(x, ord, axis)`` for an int axis.

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


@overload
def logsumexp(x: npt.ArrayLike, axis: None = None, keepdims: Literal[False] = False) -> np.floating[Any]: ...
@overload
def logsumexp(
    x: npt.ArrayLike, axis: AxisLike = None, keepdims: bool = False
) -> Reduced[np.floating[Any]]: ...


@kernel
@_reduction_doc("numpy.floating", "scipy.special.logsumexp, softmax")
def logsumexp(x: npt.ArrayLike, axis: AxisLike = None, keepdims: bool = False) -> Reduced[np.floating[Any]]:
    """``log(sum(exp(x)))`` without overflow, as ``scipy.special.logsumexp``.

    One pass that keeps a running (max, scaled sum) per block. +inf gives
    inf, NaN gives NaN, all -inf (or empty) gives -inf.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> float(gilfree.logsumexp(np.array([1000.0, 1000.0])))  # no overflow
    1000.6931471805599
    """
    arr = _native(x, "x")
    return _reduce(ReduceKind.logsumexp, arr, axis, keepdims)


# the array results live in _loops_ranges; their examples run with this module's
__test__ = {f.__name__: f for f in (axpy, clip, cumsum, histogram, softmax)}
