"""The typed loops whose results are arrays: softmax, cumsum and axpy, and
those that take value bounds, clip (lo, hi) and histogram (range).
Re-exported by gilfree.loops."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _validate as v
from ._context import call_kernel
from ._cyx import _loops as _k
from ._cyx._loops import ReduceKind
from ._loops_args import (
    _F32,
    _F64,
    AxesLike,
    AxisLike,
    NativeScalar,
    RealLike,
    SumScalar,
    _axes,
    _broadcast_pair,
    _check_out,
    _floating,
    _native,
    _number,
    _operand,
    _reduce,
    _scan_axis,
    _sum_result,
    _to_last,
    _trailing,
)
from ._registry import kernel

# the most bins whose float64 edges an array can hold
_MAX_BINS = np.iinfo(np.intp).max // 8 - 1


# ------------------------------------------------------------------ array results


@kernel
def softmax(x: npt.ArrayLike, axis: AxesLike = -1) -> npt.NDArray[np.floating[Any]]:
    """``exp(x - max) / sum(exp(x - max))`` along an axis, as ``scipy.special.softmax``.

    Along ``axis`` (default: the last one; ``None``: the whole array). A slice
    whose max is not finite is all NaN, as in SciPy. A 0-d x is its one
    element (axis None, 0 or -1 alike): the result is 1.0 (NaN if x is not
    finite), a 0-d array.

    Note: ``scipy.special.softmax`` defaults to ``axis=None``; this default
    is the last axis.

    Parameters
    ----------
    x : array_like
        Input data: int32, int64 (converted to float64), float32 or float64.
    axis : int or tuple of ints, optional
        Axis or axes along which the result sums to 1 (default: the last);
        None: the whole array.

    Returns
    -------
    numpy.ndarray
        The result, of x's shape: float32 for float32 x, float64 otherwise.

    Raises
    ------
    TypeError
        If x has another dtype, or axis is not an int or a tuple of ints.
    ValueError
        If axis names an axis twice.
    numpy.exceptions.AxisError
        If axis is out of range.

    See Also
    --------
    scipy.special.softmax, logsumexp

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.softmax(np.array([0.0, np.log(3.0)])).round(6).tolist()
    [0.25, 0.75]
    """
    arr = _floating(x, "x")
    if isinstance(axis, tuple):
        axes = _axes(axis, arr.ndim, multi=True)
    else:
        ax = _scan_axis(axis, arr.ndim)
        axes = None if ax is None else (ax,)
    out = np.empty(arr.shape, arr.dtype)
    if axes is None:
        call_kernel(_k.run_softmax, arr, out, 0)
    else:
        call_kernel(_k.run_softmax, _trailing(arr, axes), _trailing(out, axes), arr.ndim - len(axes))
    return out


@kernel
def cumsum(x: npt.ArrayLike, axis: AxisLike = None) -> npt.NDArray[SumScalar]:
    """Running sum along an axis, as ``np.cumsum``.

    Along ``axis`` (``None``: of the flattened array, C order): int32/int64
    give int64 (wrapping), floats keep their dtype and accumulate in float64.
    A 0-d x gives its one element as a 1-d array, for axis None, 0 or -1 alike.

    Parameters
    ----------
    x : array_like
        Input data: bool, integers or floats (the dtype policy).
    axis : int, optional
        Axis to accumulate along; None, the default, flattens x first.

    Returns
    -------
    numpy.ndarray
        The running sums, int64 for integer x, else x's dtype; 1-d for ``axis=None``, else
        x's shape.

    Raises
    ------
    TypeError
        If x has another dtype, or axis is not an int.
    numpy.exceptions.AxisError
        If axis is out of range.

    See Also
    --------
    numpy.cumsum, sum

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.cumsum(np.array([[1, 2], [3, 4]], dtype=np.int32)).tolist()
    [1, 3, 6, 10]
    >>> gilfree.cumsum(np.array([[1.0, 2.0], [3.0, 4.0]]), axis=0).tolist()
    [[1.0, 2.0], [4.0, 6.0]]
    """
    arr, given = _operand(x, "x")
    ax = _scan_axis(axis, arr.ndim)
    out = np.empty(arr.shape, _k.cumsum_result_dtype(arr))
    if ax is None:
        call_kernel(_k.run_cumsum, arr, out, 0)
        return _sum_result(out.reshape(-1), given)
    call_kernel(_k.run_cumsum, _to_last(arr, ax), _to_last(out, ax), arr.ndim - 1)
    return _sum_result(out, given)


@kernel
def axpy(
    alpha: RealLike,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    out: npt.NDArray[np.floating[Any]] | None = None,
) -> npt.NDArray[np.floating[Any]]:
    """``alpha * x + y`` in one pass (BLAS axpy), x and y broadcast together.

    Integers are converted to float64; the result has the common float
    dtype of x and y. ``out`` (optional) must have the result's shape and
    dtype and be writeable; it may be ``y`` (or ``x``) itself, but no other
    view overlapping them.

    Parameters
    ----------
    alpha : float
        The scale of x.
    x, y : array_like
        Arrays that broadcast together: bool, integers or floats (the dtype policy).
    out : numpy.ndarray, optional
        Where to write the result (default: a new array).

    Returns
    -------
    numpy.ndarray
        ``alpha * x + y``, float32 when x and y are float32, else float64
        (``out`` itself when given).

    Raises
    ------
    TypeError
        If alpha is not a real number, x or y has another dtype, or out is
        not an array of the result's dtype.
    ValueError
        If x and y do not broadcast together, or out has another shape, is
        read-only or overlaps x or y partially.

    See Also
    --------
    clip

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


# ------------------------------------------------------------------ clip


def _promoted(given: np.dtype, given_bounds: list[tuple[object, str]]) -> np.dtype:
    """np.clip's result dtype for x of dtype `given` and the bounds given (NEP 50:
    Python scalars are weak, NumPy scalars strong); TypeError naming the bound
    that leads to a dtype the dtype policy rejects."""
    try:
        dt = np.result_type(given, *(b for b, _ in given_bounds))
    except (TypeError, ValueError, OverflowError):
        dt = None
    if dt is not None and v.compute_dtype(dt, "bits") is not None:
        return dt
    for b, name in given_bounds:
        try:
            bd = np.result_type(given, b)
        except (TypeError, ValueError, OverflowError):
            bd = None
        if bd is None or v.compute_dtype(bd, "bits") is None:
            raise TypeError(
                f"{name}: a bound of type {type(b).__name__} promotes x ({given}) to {bd}; expected "
                "one that gives a dtype of the dtype policy (bool, integers, float16/32/64)"
            )
    raise TypeError(f"lo, hi: promote x ({given}) to {dt}; expected a dtype of the dtype policy")


def _int_bound(b: object, name: str, dt: np.dtype, default: int) -> int:
    """An integer bound in dt's range: NumPy scalars fit by promotion, a
    Python int outside it is a ValueError (NumPy: OverflowError)."""
    if b is None:
        return default
    i = int(b)
    info = np.iinfo(dt)
    if not info.min <= i <= info.max:
        raise ValueError(
            f"{name}: {i} is out of bounds for x's dtype {dt} (as in NumPy, a Python int does not promote); "
            "pass a float or a NumPy scalar of a wider type"
        )
    return i


@kernel
def clip(
    x: npt.ArrayLike,
    lo: RealLike | npt.ArrayLike | None,
    hi: RealLike | npt.ArrayLike | None,
    *,
    out: npt.NDArray[NativeScalar] | None = None,
) -> npt.NDArray[NativeScalar]:
    """``min(max(x, lo), hi)`` elementwise, as ``np.clip``.

    ``lo`` or ``hi`` may be None, a number or an array that broadcasts with
    x (the result takes the broadcast shape; an array bound clips in two
    passes, lower then upper). NaN in x stays NaN; a NaN bound makes the
    elements it bounds NaN; ``lo > hi`` gives ``hi``. The result dtype is NumPy 2's (NEP 50): Python
    ints and floats adapt to x (a float bound makes an integer x float64),
    NumPy scalars take part with their own dtype (``np.uint64`` with int32 x
    gives float64, ``np.float64`` with float32 x float64). A Python int
    beyond an integer x's range is ignored where it cannot clip anything
    and a ValueError where it would (NumPy raises OverflowError). ``out``:
    as for :func:`axpy`; ``out=x`` clips in place.

    Parameters
    ----------
    x : array_like
        Input data: bool, integers or floats (the dtype policy).
    lo, hi : float, array_like or None
        The bounds (None: no bound on that side), numbers or arrays that
        broadcast with x.
    out : numpy.ndarray, optional
        Where to write the result (default: a new array).

    Returns
    -------
    numpy.ndarray
        The clipped x, of the promoted dtype (``out`` itself when given).

    Raises
    ------
    TypeError
        If x has another dtype, a bound is not a real number or array of
        them or promotes x out of the dtype policy, or out has another dtype.
    ValueError
        If a Python int bound is beyond an integer x's range where it would
        clip, an array bound does not broadcast with x, or out has another
        shape, is read-only or overlaps x (or an array bound) partially.

    See Also
    --------
    numpy.clip, axpy

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.clip(np.array([-2, 0, 5, 9], dtype=np.int32), 0, 6).tolist()
    [0, 0, 5, 6]
    >>> gilfree.clip(np.array([1, 9], dtype=np.int32), None, np.int64(5)).dtype
    dtype('int64')
    >>> gilfree.clip(np.array([1.0, 5.0, 9.0]), np.array([2.0, 0.0, 0.0]), 6.0).tolist()
    [2.0, 5.0, 6.0]
    """
    arr, given = _operand(x, "x")
    lo = _bound(lo, "lo")
    hi = _bound(hi, "hi")
    if given.kind in "iu":  # NumPy's np.clip drops such Python ints before promoting
        info = np.iinfo(given)
        lo = None if type(lo) is int and lo <= info.min else lo
        hi = None if type(hi) is int and hi >= info.max else hi
    dt = _promoted(given, [(b, n) for b, n in ((lo, "lo"), (hi, "hi")) if b is not None])
    if isinstance(lo, np.ndarray) or isinstance(hi, np.ndarray):
        return _clip_arrays(x, arr, lo, hi, dt, out)
    cd = v.compute_dtype(dt, "bits")
    src = arr if dt == given else _native(x, "x", "float" if dt.kind == "f" else "bits").astype(cd)
    res = np.empty(src.shape, dt) if out is None else _check_out(out, src.shape, dt, [(arr, "x")])
    work = res if cd == dt else np.empty(src.shape, cd)
    _clip_into(src, work, lo, hi, dt)
    if work is not res:
        np.copyto(res, v.order_key(work, dt), casting="unsafe")
    return res


def _bound(b: object, name: str) -> Any:
    """A clip bound: None, a real scalar (a 0-d array as its NumPy scalar), or
    an array of a dtype of the policy (its own dtype: it takes part in the promotion)."""
    if b is None or isinstance(b, (numbers.Number, np.generic)):
        return _number(b, name, allow_none=True)
    arr = v.as_array(b, name)
    if arr.ndim == 0:
        return _number(arr[()], name)
    if v.compute_dtype(arr.dtype, "bits") is None:
        raise TypeError(
            f"{name}: expected bool, integers or real numbers (the dtype policy), got {v._describe(arr)}"
        )
    return v.native(arr)


def _bound_key(b: object, name: str, dt: np.dtype, cd: np.dtype, default: float) -> np.ndarray:
    """A bound of the array path in the kernel's terms: an array of compute dtype
    cd holding the values in dt (float16 rounded, uint64 as order keys); a scalar
    as a 0-d array (a Python int checked against an integer dt's range)."""
    if isinstance(b, np.ndarray):
        a = b.astype(dt)
    elif dt.kind in "iu":
        a = np.asarray(_int_bound(b, name, dt, int(default)), dt)
    else:
        a = np.asarray(default if b is None else v.to_float(b, name)).astype(dt)
    return v.order_key(a.astype(cd), dt)


def _clip_arrays(x: object, arr: np.ndarray, lo: Any, hi: Any, dt: np.dtype, out: object) -> np.ndarray:
    """np.clip with array bounds: the broadcast shape, the lower pass (max with
    lo), then the upper pass (min with hi) on its result."""
    arrays = [(a, n) for a, n in ((arr, "x"), (lo, "lo"), (hi, "hi")) if isinstance(a, np.ndarray)]
    shape = arr.shape
    for a, n in arrays[1:]:
        try:
            shape = np.broadcast_shapes(shape, a.shape)
        except ValueError:
            raise ValueError(f"{n}: shape {a.shape} does not broadcast with x's shape {arr.shape}") from None
    cd = v.compute_dtype(dt, "bits")
    src = arr if dt == arr.dtype else _native(x, "x", "float" if dt.kind == "f" else "bits").astype(cd)
    src = v.order_key(src, dt)
    res = np.empty(shape, dt) if out is None else _check_out(out, shape, dt, arrays)
    work = res if cd == dt and dt.kind != "b" else np.empty(shape, cd)
    cur = np.broadcast_to(src, shape)
    for upper, b, name in ((False, lo, "lo"), (True, hi, "hi")):
        if b is None:
            continue
        key = np.broadcast_to(_bound_key(b, name, dt, cd, 0), shape)
        call_kernel(_k.run_clip_bound, upper, cur, key, work)
        cur = work
    if cur is not work:  # (no bound: the kernels never ran)
        np.copyto(work, cur)
    if work is not res:
        np.copyto(res, v.order_key(work, dt), casting="unsafe")
    return res


def _clip_into(src: np.ndarray, work: np.ndarray, lo: object, hi: object, dt: np.dtype) -> None:
    """Runs the clip kernel on src (in dt's compute dtype) into work; a float16
    dt rounds the bounds to float16 first, as NumPy compares in float16, and a
    uint64 dt clips the sign-flipped keys (_validate.order_key) by shifted bounds."""
    if dt.kind in "iub":
        info = np.iinfo(dt if dt.kind != "b" else np.int64)
        ilo = _int_bound(lo, "lo", dt, int(info.min)) if dt.kind != "b" else int(lo or 0)
        ihi = _int_bound(hi, "hi", dt, int(info.max)) if dt.kind != "b" else int(1 if hi is None else hi)
        shift = 2**63 if dt.kind == "u" and dt.itemsize == 8 else 0
        call_kernel(_k.run_clip, v.order_key(src, dt), work, 0.0, 0.0, ilo - shift, ihi - shift)
        return
    rnd = dt.type if dt.itemsize == 2 else float
    flo = -math.inf if lo is None else float(rnd(v.to_float(lo, "lo")))
    fhi = math.inf if hi is None else float(rnd(v.to_float(hi, "hi")))
    call_kernel(_k.run_clip, src, work, flo, fhi, 0, 0)


# ------------------------------------------------------------------ histogram


def _bins(bins: object) -> int:
    if isinstance(bins, (bool, np.bool_)) or not isinstance(bins, (int, np.integer)):
        raise TypeError(f"bins: expected a positive int or a 1-d array of edges, got {type(bins).__name__}")
    return v.integer(bins, "bins", low=1, high=_MAX_BINS)


def _edge_array(bins: object) -> np.ndarray:
    """The edges of an array bins= (returned as given, np.asarray), checked:
    1-d, real, no NaN, monotonically increasing (equal edges allowed, as NumPy)."""
    edges = np.asarray(bins)
    if edges.ndim != 1:
        raise ValueError(f"bins: must be 1d when an array, got {edges.ndim}-d")
    if edges.size == 0:
        raise ValueError("bins: an array of edges needs at least one edge")
    if edges.dtype.kind not in "biuf":
        raise TypeError(f"bins: expected real edges, got dtype {edges.dtype}")
    e64 = edges.astype(np.float64)
    if np.isnan(e64).any():
        raise ValueError("bins: edges must not be NaN")
    if np.any(e64[:-1] > e64[1:]):
        raise ValueError("bins: must increase monotonically, when an array")
    return edges


def _given_range(rng: object) -> tuple[object, object]:
    """The (lo, hi) of a range= argument, each a real number."""
    try:
        if isinstance(rng, (str, bytes)):
            raise TypeError
        lo, hi = rng  # (unpacking stops at a third item: no endless iteration)
    except (TypeError, ValueError):  # not iterable (a 0-d array), or not two items
        raise TypeError(f"range: expected a (lo, hi) pair of numbers, got {v._describe(rng)}") from None
    bounds = []
    for b in (lo, hi):
        b = _number(b, "range")
        # NumPy scalars keep their dtype (it decides the bins'); Python numbers are weak: floats
        bounds.append(b if isinstance(b, np.generic) else v.to_float(b, "range"))
    first, last = bounds
    if first > last:
        raise ValueError(f"range: max must be larger than min, got ({first}, {last})")
    if not (math.isfinite(first) and math.isfinite(last)):
        raise ValueError(f"range: supplied range of [{first}, {last}] is not finite")
    return first, last


def _outer_edges(arr: np.ndarray, rng: object) -> tuple[object, object]:
    """np.histogram's outer edges (_get_outer_edges): the range given, else
    x's extremes in x's dtype; an empty range widened by 0.5 either side."""
    if rng is not None:
        first, last = _given_range(rng)
    elif arr.size == 0:
        first, last = 0.0, 1.0
    else:
        first = _reduce(ReduceKind.min, arr, None, False)
        last = _reduce(ReduceKind.max, arr, None, False)
        if not (math.isfinite(first) and math.isfinite(last)):
            raise ValueError(f"x: autodetected range of [{first}, {last}] is not finite")
    if first == last:
        first, last = first - 0.5, last + 0.5
    return first, last


@kernel
def histogram(
    x: npt.ArrayLike,
    bins: int | np.integer[Any] | npt.ArrayLike = 10,
    range: tuple[RealLike, RealLike] | None = None,
    density: bool = False,
    weights: npt.ArrayLike | None = None,
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Count the elements of x in bins, as ``np.histogram``.

    With an int ``bins``: equal-width bins over ``range=(lo, hi)`` (values
    outside it are dropped; by default it is ``(x.min(), x.max())``), edges
    of NumPy's bin dtype (float32 for float32 x and a range of Python
    floats, float64 otherwise); bins that do not fit the range (edges that
    would not increase) are a ValueError, as in NumPy. With an array
    ``bins``: its values are the edges (monotonically increasing, equal
    edges allowed; ``range`` is ignored, as in NumPy), each element is
    placed by a binary search, and the edges are returned as given. Bin k
    holds ``edges[k] <= v < edges[k + 1]``, the last bin includes its right
    edge; NaN is never counted. Counts equal NumPy's exactly.

    Parameters
    ----------
    x : array_like
        Input data: bool, integers or floats (the dtype policy).
    bins : int or array_like, default 10
        The number of equal-width bins, or the bin edges (1-d, increasing).
    range : tuple of (float, float), optional
        The lower and upper edges of equal-width bins (default: x's min and max).
    density : bool, default False
        Return ``hist / bin width / hist.sum()`` (float64), as NumPy.
    weights : array_like, optional
        One weight per element of x (x's shape): each bin holds the sum of
        its elements' weights, accumulated in float64 (the same bits for any
        thread count) and returned in the weights' dtype, as NumPy.

    Returns
    -------
    hist : numpy.ndarray
        The int64 counts, the sums of the weights (the weights' dtype), or
        with ``density=True`` the float64 density, one per bin.
    edges : numpy.ndarray
        The bin edges: ``bins + 1`` of them, float32 or float64, or the given array.

    Raises
    ------
    TypeError
        If x or weights has another dtype, bins is neither an int nor an
        array of real numbers, or range is not a pair of real numbers.
    ValueError
        If range is not finite or decreases, x's own range is not finite, the
        bins do not fit the range, an array bins is not 1-d, is empty, holds
        NaN or decreases, or weights has another shape than x.

    See Also
    --------
    numpy.histogram

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> counts, edges = gilfree.histogram(np.array([0.0, 1.0, 1.5, 3.0]), bins=3)
    >>> counts.tolist(), edges.tolist()
    ([1, 2, 1], [0.0, 1.0, 2.0, 3.0])
    >>> w = np.array([1.0, 2.0, 4.0])
    >>> hist, _ = gilfree.histogram(np.array([0.5, 1.5, 9.0]), [0, 1, 2, 10], weights=w)
    >>> hist.tolist()
    [1.0, 2.0, 4.0]
    """
    arr = _native(x, "x")
    dens = v.flag(density, "density")
    if np.ndim(bins) == 0:
        edges = _uniform_edges(arr, _bins(bins), range)
        e64, uniform = edges.astype(np.float64), True
    else:
        edges = _edge_array(bins)
        e64, uniform = np.ascontiguousarray(edges, dtype=np.float64), False
    # the outer edges as the bin dtype rounds them (NumPy compares float32 data with float32 bounds)
    first, last = float(e64[0]), float(e64[-1])
    w, wgiven = None, None
    if weights is not None:
        w, wgiven = _operand(weights, "weights", "real")
        if w.shape != arr.shape:
            raise ValueError(f"weights: should have the same shape as x, {arr.shape}, got {w.shape}")
    hist = call_kernel(_k.run_histogram, arr, e64, first, last, uniform, w)
    if wgiven is not None:
        hist = hist.astype(wgiven, copy=False)
    if dens:  # NumPy's own expression (the same bits)
        db = np.array(np.diff(edges), float)
        return hist / db / hist.sum(), edges
    return hist, edges


def _uniform_edges(arr: np.ndarray, nb: int, range: object) -> np.ndarray:
    """np.histogram's equal-width edges for nb bins over range (or x's)."""
    first, last = _outer_edges(arr, range)
    bin_dtype = _F32 if np.result_type(first, last, arr) == _F32 else _F64
    edges = np.linspace(first, last, nb + 1, endpoint=True, dtype=bin_dtype)
    if np.any(edges[:-1] >= edges[1:]):
        raise ValueError(
            f"bins: too many bins for the data range [{first}, {last}]: cannot create {nb} finite-sized "
            f"{bin_dtype} bins (NumPy: 'Too many bins for data range'); use fewer bins or a wider range"
        )
    return edges
