"""Argument handling shared by the typed loops (gilfree.loops and
gilfree._loops_ranges): native dtypes, axes, scalars, out= buffers, and the
call of a reduction kernel."""

from __future__ import annotations

import builtins
import math
import numbers
from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from . import _validate as v
from ._context import call_kernel
from ._cyx import _loops as _k
from ._cyx._loops import ReduceKind
from ._registry import common_call

_I32, _I64 = np.dtype(np.int32), np.dtype(np.int64)
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_NATIVE = (_I32, _I64, _F32, _F64)

# ------------------------------------------------------------------ types
# The annotations of the typed loops. Results follow the C++ reduce_dtype:
# min, max and dot keep an input's dtype, sum (and cumsum) give int64 for
# integers, float results are float32 for float32 input and float64 otherwise.

AxisLike: TypeAlias = int | np.integer[Any] | None
# sum/mean/var/std/min/max: NumPy's tuple of axes too
AxesLike: TypeAlias = int | np.integer[Any] | tuple[int | np.integer[Any], ...] | None
# the dtype= of sum/mean/var/std (None: the dtype policy's result dtype)
DTypeArg: TypeAlias = npt.DTypeLike | None
RealLike: TypeAlias = float | np.integer[Any] | np.floating[Any]
NativeScalar: TypeAlias = np.signedinteger[Any] | np.floating[Any]
SumScalar: TypeAlias = np.int64 | np.floating[Any]
_S = TypeVar("_S", bound=np.generic)
_F = TypeVar("_F", bound=Callable[..., object])
# a reduction's result: a NumPy scalar, or an array for an axis or keepdims
Reduced: TypeAlias = _S | npt.NDArray[_S]
# a caller's out= array, returned as it is
OutArray = TypeVar("OutArray", bound="npt.NDArray[Any]")  # a string: tools/make_aio_stub.py copies it


# ------------------------------------------------------------------ arguments


def _operand(x: object, name: str, mode: v.Mode = "bits") -> tuple[np.ndarray, np.dtype]:
    """x converted by the dtype policy (_validate.converted): the array in a
    kernel dtype (int32, int64, float32, float64) and x's own dtype."""
    return v.converted(x, name, mode)


def _native(x: object, name: str, mode: v.Mode = "real") -> np.ndarray:
    """x in a kernel dtype, for the kernels whose result dtype does not depend on x's."""
    return v.converted(x, name, mode)[0]


def _floating(x: object, name: str) -> np.ndarray:
    """x as float32/float64 (the dtype policy's "float" mode)."""
    return v.converted(x, name, "float")[0]


def _sum_result(res: Any, given: np.dtype) -> Any:
    """NumPy's sum dtype: unsigned integers sum to uint64 (the int64 sum's
    bits, modulo 2**64 as in NumPy), others as the kernel gives them."""
    return res.astype(np.uint64) if given.kind == "u" else res


def _as(res: Any, dt: np.dtype) -> Any:
    """A kernel's result (a NumPy scalar or array) cast to the result dtype dt
    (exact for the values it can take; an integer cast wraps, as NumPy's)."""
    return res if res.dtype == dt else res.astype(dt)


def _to_last(a: np.ndarray, ax: int) -> np.ndarray:
    """A view of a with axis ax moved last (a itself when it is last already:
    np.moveaxis costs microseconds, a lot beside a small kernel)."""
    return a if ax == a.ndim - 1 else np.moveaxis(a, ax, -1)


def _axis(axis: object, ndim: int) -> int | None:
    if axis is None:
        return None
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis: expected None or an int, got {type(axis).__name__}")
    a = int(axis)
    if not -ndim <= a < ndim:
        raise np.exceptions.AxisError(a, ndim, msg_prefix="axis")
    return a % ndim


def _scan_axis(axis: object, ndim: int) -> int | None:
    """_axis for the scans (softmax, cumsum): a 0-d array is taken as its one
    element, so axis 0 and -1 work as None, as in np.cumsum and
    scipy.special.softmax."""
    if ndim == 0:
        _axis(axis, 1)
        return None
    return _axis(axis, ndim)


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


def _axes(axis: object, ndim: int, multi: bool, zero_d: bool = False) -> tuple[int, ...] | None:
    """axis as the sorted tuple of the axes reduced (None: all of them): an int, or
    with `multi` a tuple of distinct ints (NumPy's tuple axis). With `zero_d` a 0-d
    array takes an int axis 0 or -1 as None, as NumPy's sum, min, max, argmin and
    argmax do (a tuple's axes are checked against its 0 dimensions, as NumPy does)."""
    if axis is None:
        return None
    if multi and isinstance(axis, tuple):
        if ndim == 0 and not axis:
            return None
        axes = []
        for a in axis:
            if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
                raise TypeError(
                    f"axis: expected None, an int or a tuple of ints, got a {type(a).__name__} in the tuple"
                )
            axes.append(_axis(a, ndim))
        if len(set(axes)) != len(axes):
            raise ValueError(f"axis: duplicate value in {axis!r}")
        return tuple(sorted(axes))
    if multi and (isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer))):
        raise TypeError(f"axis: expected None, an int or a tuple of ints, got {type(axis).__name__}")
    a = _axis(axis, 1 if ndim == 0 and zero_d else ndim)
    return None if a is None or ndim == 0 else (a,)


def _reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None, keep: bool) -> tuple[int, ...]:
    """The shape of a reduction of an array of `shape` over `axes` (None: all)."""
    if axes is None:
        return (1,) * len(shape) if keep else ()
    if keep:
        return tuple(1 if d in axes else n for d, n in enumerate(shape))
    return tuple(n for d, n in enumerate(shape) if d not in axes)


def _trailing(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """A view of a with `axes` (sorted) moved last, in order; a itself when they are last already
    (np.moveaxis costs microseconds, a lot beside a small kernel)."""
    order = [d for d in range(a.ndim) if d not in axes] + list(axes)
    return a if order == list(range(a.ndim)) else a.transpose(order)


def _layout(x: np.ndarray, y: np.ndarray | None, axis: object, keep: bool, multi: bool, zero_d: bool):
    """(x's view, y's view, nouter, length, result shape) of a reduction over `axis`:
    the reduced axes moved last (see _axes for `multi` and `zero_d`)."""
    if type(axis) is int and -x.ndim <= axis < x.ndim:  # the common case, without _axes' microseconds
        ax = axis % x.ndim
        shape = x.shape[:ax] + ((1,) if keep else ()) + x.shape[ax + 1 :]
        yv = None if y is None else _to_last(y, ax)
        return _to_last(x, ax), yv, x.ndim - 1, x.shape[ax], shape
    axes = _axes(axis, x.ndim, multi, zero_d)
    shape = _reduced_shape(x.shape, axes, keep)
    if axes is None:
        return x, y, 0, x.size, shape
    yv = None if y is None else _trailing(y, axes)
    return _trailing(x, axes), yv, x.ndim - len(axes), math.prod(x.shape[d] for d in axes), shape


def _reduce(
    kind: ReduceKind,
    x: np.ndarray,
    axis: object,
    keepdims: object,
    y: np.ndarray | None = None,
    param: float = 0.0,
    empty_error: str | None = None,
    *,
    multi: bool = False,
    zero_d: bool = False,
    out: object = None,
):
    """Runs reduction `kind` of x (and y) over `axis` (with `multi`, a tuple of axes
    too; `zero_d`: see _axes); the result has the dtype the C++ reduce_dtype gives it (the kernel writes
    it so). out (not None): checked as the result's buffer before the kernel runs
    (see _deliver, which writes it)."""
    keep = v.flag(keepdims, "keepdims")
    view, yv, nouter, length, shape = _layout(x, y, axis, keep, multi, zero_d)
    if out is not None:
        if not isinstance(out, np.ndarray):
            raise TypeError(f"out: expected a numpy.ndarray, got {type(out).__name__}")
        v.out_array(out, "out", shape, out.dtype, [(x, "x"), (y, "b")])
    if empty_error is not None and length == 0:
        raise ValueError(f"x: zero-size array to reduction operation {empty_error} which has no identity")
    res = call_kernel(_k.run_reduce, kind, view, yv, nouter, param)
    res = res.reshape(shape)
    return res[()] if res.ndim == 0 else res


def _common_whole(
    kind: ReduceKind, *, pair: bool = False, keywords: tuple[str, ...] = ("axis",)
) -> Callable[[_F], _F]:
    """Decorator of a reduction: ``fn(x)`` and ``fn(x, axis=a)`` (every other option at its
    default) are offered to the binding's entry ``reduce_common(kind, x[, axis=a])``, which
    takes the whole array and its last axis; with `pair`, ``fn(a, b[, axis=...])`` to
    ``reduce_pair_common(kind, a, b[, axis=...])``. `keywords`: those of fn's keywords the
    entry takes (axis, where fn has one)."""
    return common_call(_k.reduce_pair_common if pair else _k.reduce_common, kind, keywords=keywords)


def _whole(
    kind: ReduceKind, x: object, axis: object, keepdims: object, dtype: object, out: object, param: object = 0
) -> Any:
    """The common call of a reduction (the whole array or its last axis, no dtype=/out=/
    keepdims, an int ddof) taken whole by the binding; None when the call needs the general
    path."""
    if keepdims is False and dtype is None and out is None and type(param) is int:
        return _k.reduce_common(kind, x, param, axis)
    return None


def _dtype_arg(dtype: object, *, ints: bool) -> np.dtype | None:
    """sum/mean/var/std's dtype= as a native dtype: a float (float16, float32,
    float64), or with `ints` bool or an integer too; others are a TypeError."""
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"dtype: expected a NumPy dtype or None, got {dtype!r}") from None
    ok = (dt.kind == "f" and dt.itemsize <= 8) or (ints and dt.kind in "biu")
    if not ok:
        what = "bool, an integer or a float dtype" if ints else "a float dtype"
        raise TypeError(f"dtype: expected {what} (float16, float32, float64 by the dtype policy), got {dt}")
    return dt.newbyteorder("=")


def _widened(arr: np.ndarray, dt: np.dtype | None) -> np.ndarray:
    """float32 data converted to float64 when the result dtype dt is wider than float32
    (the kernel rounds a float32 input's result to float32)."""
    return arr.astype(_F64) if dt is not None and dt.itemsize > 4 and arr.dtype == _F32 else arr


def _deliver(res: Any, out: np.ndarray | None, dt: np.dtype | None = None) -> Any:
    """A reduction's result cast to dt (when given) and, with out, written into it
    (casting 'same_kind', checked before writing) and out returned."""
    if dt is not None and res.dtype != dt:
        with np.errstate(over="ignore"):  # a float64 result beyond float16/32's range is inf, as NumPy's
            res = res.astype(dt)
    if out is None:
        return res
    if not np.can_cast(res.dtype, out.dtype, "same_kind"):
        raise TypeError(
            f"out: expected a dtype {res.dtype} casts to with casting='same_kind', got {out.dtype}"
        )
    np.copyto(out, res, casting="same_kind")
    return out


def _reduce_pair(
    kind: ReduceKind, x: np.ndarray, axis: object, keepdims: object, y: np.ndarray, param: float, both: bool
):
    """_reduce over an int or a tuple axis for the kinds with two results per row (C++
    reduce_result_width: logsumexp_b's value and sign): the first, or both as a pair."""
    keep = v.flag(keepdims, "keepdims")
    view, yv, nouter, _, shape = _layout(x, y, axis, keep, True, False)
    res = call_kernel(_k.run_reduce, kind, view, yv, nouter, param).reshape(shape + (2,))
    first, second = res[..., 0].copy(), res[..., 1].copy()
    if not both:
        return first[()] if first.ndim == 0 else first
    return (first[()], second[()]) if first.ndim == 0 else (first, second)


def _broadcast_pair(x: np.ndarray, y: np.ndarray, xname: str, yname: str) -> tuple[np.ndarray, np.ndarray]:
    """x and y in their common dtype, broadcast to one shape (zero strides, no
    copy); equal shapes skip np.broadcast_to, which costs microseconds a call."""
    if x.shape == y.shape:
        return v.common(x, y)
    try:
        shape = np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        msg = f"{yname}: shape {y.shape} does not broadcast with {xname}'s shape {x.shape}"
        raise ValueError(msg) from None
    x, y = v.common(x, y)
    return np.broadcast_to(x, shape), np.broadcast_to(y, shape)
