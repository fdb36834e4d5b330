"""Argument normalisation shared by the kernel families.

Every error names the argument, what was expected and what was given.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any, Literal, SupportsFloat, SupportsInt, TypeAlias, TypeVar, cast

import numpy as np
import numpy.typing as npt

_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)
_NDARRAY = np.ndarray
_T = TypeVar("_T")

# What every float kernel returns: an array of float32 or float64 (the input's dtype).
FloatArray: TypeAlias = npt.NDArray[np.floating[Any]]


def _describe(x: object) -> str:
    if isinstance(x, np.ndarray):
        return f"array of dtype {x.dtype}"
    return type(x).__name__


def _subclass_check(x: np.ndarray, name: str) -> None:
    """The subclass rule of the dtype policy: a subclass whose data alone
    loses its meaning (a mask, or arithmetic of its own: units, laziness) is a
    TypeError; the others (np.memmap, np.matrix, plain subclasses) are read
    as their data, as np.asarray does."""
    cls = type(x)
    if isinstance(x, np.ma.MaskedArray):
        raise TypeError(
            f"{name}: expected an ndarray, got a masked array (np.asarray would drop its mask); "
            "pass x.filled(value) or x.compressed(), or use the np.ma functions"
        )
    if cls.__array_ufunc__ is not _NDARRAY.__array_ufunc__ or (
        cls.__array_function__ is not _NDARRAY.__array_function__
    ):
        raise TypeError(
            f"{name}: expected an ndarray, got {cls.__name__}, an ndarray subclass with arithmetic of its "
            "own (units, masks) that a plain array would lose; pass np.asarray(x) to use its data"
        )


def as_array(x: object, name: str) -> np.ndarray:
    """x as an ndarray (no copy for an ndarray); TypeError for non-arrays and
    for the subclasses _subclass_check rejects."""
    if type(x) is _NDARRAY:
        return x
    if isinstance(x, _NDARRAY):
        _subclass_check(x, name)
    if x is None or isinstance(x, (str, bytes, dict, set)):
        raise TypeError(f"{name}: expected an array-like of real numbers, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name}: expected an array-like of real numbers, got {type(x).__name__} ({exc})"
        ) from None
    return arr


# ------------------------------------------------------------------ the dtype policy
# Written once here; the README's "dtype policy" table states it. An input's dtype
# (in native byte order: a byte-swapped array is converted first) maps to the dtype
# a kernel computes in, by the kernel's mode:
#   "float": the float kernels (losses, conv, softmax, axpy): integers and bool -> float64;
#   "real":  float results of any data (mean, var, std, norm, logsumexp, sqdist,
#            histogram): int32/int64 kept, other integers and bool -> int64, uint64 -> float64;
#   "bits":  integer results (sum, cumsum, dot, min, max, argmin, argmax, clip): as "real"
#            but uint64 -> its int64 bits (sums wrap modulo 2**64 as in NumPy; the
#            ordering kernels flip the sign bit, see order_key).
# In every mode float32/float64 stay, float16 -> float32; every other dtype (complex,
# object, str, bytes, datetime, timedelta, void, longdouble) is a TypeError naming the
# argument. Results: arith_dtype.
_I64 = np.dtype(np.int64)
_U64 = np.dtype(np.uint64)
_F16 = np.dtype(np.float16)
_KERNEL_INTS = (np.dtype(np.int32), _I64)
Mode: TypeAlias = Literal["float", "real", "bits"]


def compute_dtype(dt: np.dtype[Any], mode: Mode) -> np.dtype[Any] | None:
    """The dtype a kernel of `mode` computes an input of (native) dtype dt in; None: rejected."""
    if dt.kind == "f":
        return _F32 if dt.itemsize <= 4 else (_F64 if dt.itemsize == 8 else None)
    if dt.kind not in "biu":
        return None
    if mode == "float" or (mode == "real" and dt == _U64):
        return _F64
    return dt if dt in _KERNEL_INTS else _I64


def arith_dtype(dt: np.dtype[Any]) -> np.dtype[Any]:
    """An arithmetic result's dtype from NumPy's: float16 is computed and returned as float32."""
    return _F32 if dt == _F16 else dt


def native(arr: np.ndarray) -> np.ndarray:
    """arr in native byte order and aligned (a copy only when it is not)."""
    if not arr.dtype.isnative:
        return arr.astype(arr.dtype.newbyteorder("="))
    return arr if arr.flags.aligned else arr.copy()


def converted(x: object, name: str, mode: Mode) -> tuple[np.ndarray, np.dtype[Any]]:
    """x converted by the dtype policy: (the array in its compute dtype, x's own
    dtype in native byte order, from which results take theirs)."""
    arr = as_array(x, name)
    dt = arr.dtype
    if (dt is _F64 or dt is _F32 or (mode != "float" and dt in _KERNEL_INTS)) and arr.flags.aligned:
        return arr, dt  # a kernel dtype already (the common case: nothing to convert)
    arr = native(arr)
    dt = compute_dtype(arr.dtype, mode)
    if dt is None:
        what = "real numbers" if mode == "float" else "bool, integers or real numbers"
        raise TypeError(
            f"{name}: expected {what} (the dtype policy: bool, integers, float16, float32, float64), "
            f"got {_describe(arr)}"
        )
    return (arr if dt == arr.dtype else arr.astype(dt)), arr.dtype


def order_key(arr: np.ndarray, given: np.dtype[Any]) -> np.ndarray:
    """For the ordering kernels: uint64 data (as its int64 bits) with the sign
    bit flipped, so that int64 order is uint64 order; other arrays as they are.
    Applied twice it gives the bits back."""
    return arr ^ np.int64(INT64_MIN) if given.kind == "u" and given.itemsize == 8 else arr


def as_float(x: object, name: str) -> np.ndarray:
    """A float32/float64 array by the dtype policy ("float" mode)."""
    return converted(x, name, "float")[0]


def common(*arrs: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays in their common dtype (NumPy's promotion): the dtype a call
    on several arrays computes in. Arrays already of it are not copied."""
    dt = arrs[0].dtype
    for a in arrs[1:]:
        if a.dtype != dt:
            dt = np.result_type(*(a.dtype for a in arrs))
            return tuple(a.astype(dt, copy=False) for a in arrs)
    return arrs


def as_float_like(x: object, name: str, like: np.ndarray) -> np.ndarray:
    """x as a float array of like's dtype and shape."""
    arr = as_float(x, name)
    if arr.shape != like.shape:
        raise ValueError(f"{name}: expected shape {like.shape} (the shape of input), got {arr.shape}")
    if arr.dtype != like.dtype:
        arr = arr.astype(like.dtype)
    return arr


def broadcast_float(x: object, name: str, like: np.ndarray) -> np.ndarray:
    """x (scalar or array) broadcast to like's shape, as like's dtype (a view)."""
    arr = as_float(x, name)
    if arr.dtype != like.dtype:
        arr = arr.astype(like.dtype)
    try:
        return np.broadcast_to(arr, like.shape)
    except ValueError:
        raise ValueError(
            f"{name}: shape {arr.shape} does not broadcast to the input's shape {like.shape}"
        ) from None


def real(
    x: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite real scalar within [low, high] (ends open on request)."""
    if type(x) is float:  # the common case, without the ABC check's microsecond
        v = x
    elif isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(x).__name__}")
    else:
        v = to_float(x, name)
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError(f"{name}: expected a finite number, got {v}")
    if low is not None and (v < low or (low_open and v == low)):
        raise ValueError(f"{name}: expected a value {'>' if low_open else '>='} {low}, got {v}")
    if high is not None and (v > high or (high_open and v == high)):
        raise ValueError(f"{name}: expected a value {'<' if high_open else '<='} {high}, got {v}")
    return v


INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def integer(x: object, name: str, *, low: int = INT64_MIN, high: int = INT64_MAX) -> int:
    """An int within [low, high] (by default: what a C int64 holds), so that
    no OverflowError without the argument's name comes from a binding."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{name}: expected an int, got {type(x).__name__}")
    i = int(x)
    if not low <= i <= high:
        raise ValueError(f"{name}: expected an int in [{low}, {high}], got {i}")
    return i


def flag(x: object, name: str) -> bool:
    if isinstance(x, (bool, np.bool_)) or (isinstance(x, (int, np.integer)) and x in (0, 1)):
        return bool(x)
    raise TypeError(f"{name}: expected a bool, got {type(x).__name__}")


def choice(x: object, name: str, table: Mapping[str, _T]) -> _T:
    """Maps a string option to its code."""
    if type(x) is not str:
        raise TypeError(f"{name}: expected a str, one of {sorted(table)}, got {type(x).__name__}")
    code = table.get(x)
    if code is None:
        raise ValueError(f"{name}: expected one of {sorted(table)}, got {x!r}")
    return code


def to_float(x: SupportsFloat, name: str) -> float:
    """float(x) of a real scalar; an int too large for a float64 is a
    ValueError naming the argument (float() raises a bare OverflowError)."""
    try:
        return float(x)
    except OverflowError:
        raise ValueError(
            f"{name}: expected a number within the float64 range, "
            f"got an int of {int(cast(SupportsInt, x)).bit_length()} bits"
        ) from None


def broadcast_floats(
    x: np.ndarray, named: Sequence[tuple[object | None, str]]
) -> tuple[tuple[int, ...], list[np.ndarray | None]]:
    """The operands (None kept) as float arrays of x's dtype, and the shape x and
    they broadcast to (NumPy's rules). Nothing is broadcast yet: see broadcast_views."""
    shape = x.shape
    arrs: list[np.ndarray | None] = []
    for a, name in named:
        if a is None:
            arrs.append(None)
            continue
        arr = as_float(a, name)
        if arr.dtype != x.dtype:
            arr = arr.astype(x.dtype)
        try:
            if arr.shape != shape:  # (np.broadcast_shapes costs microseconds a call)
                shape = np.broadcast_shapes(shape, arr.shape)
        except ValueError:
            raise ValueError(
                f"{name}: shape {arr.shape} does not broadcast with {shape} (input's shape {x.shape}, "
                "broadcast with the operands before it; NumPy's rules)"
            ) from None
        arrs.append(arr)
    return shape, arrs


def broadcast_views(shape: tuple[int, ...], arrs: Sequence[np.ndarray | None]) -> list[np.ndarray | None]:
    """Each array as a read-only view of `shape` (zero strides where broadcast, no copy)."""
    return [None if a is None else a if a.shape == shape else np.broadcast_to(a, shape) for a in arrs]


def _self_overlaps(a: np.ndarray) -> bool:
    """Whether two elements of a may share bytes: True unless, with the axes sorted by
    |stride|, each stride clears the span of the axes below it (every C, Fortran,
    transposed, sliced or reversed layout does; zero strides and as_strided tricks do not)."""
    if a.size <= 1:
        return False
    span = a.itemsize
    for s, n in sorted((abs(s), n) for s, n in zip(a.strides, a.shape, strict=True) if n > 1):
        if s < span:
            return True
        span += s * (n - 1)
    return False


def _shares(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether a and b share memory (exact; a problem too hard to solve counts as shared)."""
    try:
        return bool(np.shares_memory(a, b, max_work=1 << 20))
    except np.exceptions.TooHardError:
        return True


def out_array(
    out: object,
    name: str,
    shape: tuple[int, ...],
    dtype: np.dtype[Any],
    operands: Sequence[tuple[np.ndarray | None, str]],
) -> np.ndarray:
    """out checked as a buffer for a result of `shape` and `dtype`, before anything is
    written to it: an ndarray of exactly that dtype and shape, writeable, aligned, any
    strides whose elements are distinct, sharing no memory with the operands."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name}: expected a numpy.ndarray, got {type(out).__name__}")
    if out.dtype != dtype or not out.dtype.isnative:
        raise TypeError(f"{name}: expected dtype {dtype} (the result's dtype), got {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"{name}: expected shape {shape} (the result's shape), got {out.shape}")
    if not out.flags.writeable:
        raise ValueError(f"{name}: expected a writeable array, got a read-only one")
    if not out.flags.aligned:
        raise ValueError(f"{name}: expected an aligned array, got unaligned data")
    if _self_overlaps(out):
        raise ValueError(f"{name}: expected distinct elements, got strides {out.strides} that overlap")
    for a, aname in operands:
        if a is not None and _shares(out, a):
            raise ValueError(f"{name}: expected an array sharing no memory with {aname}, got one that does")
    return out
