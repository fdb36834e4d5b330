"""What the NumPy/SciPy-style and the torch-style convolutions share: the
option types and tables, float conversion and the call into C++. See
gilfree.conv."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, SupportsFloat, TypeAlias

import numpy.typing as npt

from . import _validate as v
from ._context import call_kernel
from ._cyx import _conv as _k
from ._cyx._conv import Boundary, Family, Method, Mode
from ._validate import FloatArray

# Every result is a FloatArray, of the inputs' common dtype.
_Mode: TypeAlias = Literal["full", "same", "valid"]
_Method: TypeAlias = Literal["auto", "direct", "fft"]
_Boundary: TypeAlias = Literal["fill", "wrap", "symm", "pad", "circular", "symmetric"]
_Fill: TypeAlias = SupportsFloat | Sequence[SupportsFloat]  # a real number, or an array-like of one
_Size1: TypeAlias = int | tuple[int] | list[int]
_Size2: TypeAlias = int | tuple[int, int] | list[int]

_MODES = {m.name: m for m in Mode}
_METHODS = {"auto": Method.auto_, "direct": Method.direct, "fft": Method.fft}
_TORCH_METHODS = {
    "auto": Method.auto_,
    "direct": Method.direct,
    "gemm": Method.gemm,
    "winograd": Method.winograd,
}
# scipy's names and their aliases; Boundary.none (numpy's implicit zeros, never
# multiplied: inf * 0) is not an option, numpy's functions use it.
_BOUNDARIES = {
    **{b.name: b for b in Boundary if b is not Boundary.none},
    "pad": Boundary.fill,
    "circular": Boundary.wrap,
    "symmetric": Boundary.symm,
}


# -- shared by both families ----------------------------------------------


def _floats(*named: tuple[npt.ArrayLike, str]) -> tuple[FloatArray, ...]:
    """The arrays as float32/float64 of one common dtype (float32 only if all are)."""
    return v.common(*(v.as_float(x, name) for x, name in named))


def _run(
    family: Family,
    method: Method,
    x: FloatArray,
    w: FloatArray,
    bias: FloatArray | None,
    oh: int,
    ow: int,
    y0: int,
    x0: int,
    sy: int = 1,
    sx: int = 1,
    dy: int = 1,
    dx: int = 1,
    boundary: Boundary = Boundary.fill,
    fill: float = 0.0,
    reverse_out: bool = False,
    out: FloatArray | None = None,
) -> FloatArray:
    """The correlation of x by w on the C++ path `method` (Method.auto_: the family's rule),
    written into out (a checked (N, O, oh, ow) view) when given."""
    return call_kernel(
        _k.corr2d,
        family,
        method,
        x,
        w,
        bias,
        oh,
        ow,
        y0,
        x0,
        sy,
        sx,
        dy,
        dx,
        boundary,
        fill,
        reverse_out,
        out,
    )


def _vector(a: FloatArray, name: str, allow_0d: bool) -> FloatArray:
    if a.ndim == 0:
        if not allow_0d:  # numpy.correlate: "object of too small depth for desired array"
            raise ValueError(f"{name}: expected a 1-d array, got a 0-d array (a scalar)")
        a = a.reshape(1)
    if a.ndim != 1:
        raise ValueError(f"{name}: expected a 1-d array, got {a.ndim}-d of shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name}: must not be empty")
    return a


def _plane(a: FloatArray) -> FloatArray:
    """A 1-d or 2-d array as a (1, 1, H, W) view."""
    return a.reshape((1, 1, 1, a.shape[0]) if a.ndim == 1 else (1, 1) + a.shape)
