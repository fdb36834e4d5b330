"""Type stub of gilfree.aio, written by tools/make_aio_stub.py: do not edit."""

from collections.abc import AsyncIterator as _AsyncIterator
from collections.abc import Callable as _Callable
from collections.abc import Iterable as _Iterable
from typing import Any, Literal, ParamSpec, TypeVar, overload
from typing import Any as _Any

import numpy as np
import numpy.typing as npt

from gilfree._conv_common import _Boundary, _Fill, _Method, _Mode, _Size1, _Size2
from gilfree._executor import Overloaded as Overloaded
from gilfree._loops_args import AxesLike, AxisLike, DTypeArg, NativeScalar, RealLike, Reduced, SumScalar
from gilfree._losses_common import _KlReduction, _KlScalar, _Out, _Reduction, _Result, _Scalar, _Value
from gilfree._validate import FloatArray
from gilfree.loops import OrdLike

OutArray = TypeVar("OutArray", bound=npt.NDArray[Any])
_P = ParamSpec("_P")
_R = TypeVar("_R")

__all__ = ["Overloaded", "map", "map_unordered", "run", "set_limits", "shutdown", "stats"]

INLINE_BUDGET: int

async def map(
    fn: _Callable[..., _Any],
    /,
    *iterables: _Iterable[_Any],
    concurrency: int | None = None,
    progress: bool | str = False,
    **kwargs: _Any,
) -> list[_Any]: ...
def map_unordered(
    fn: _Callable[..., _Any],
    /,
    *iterables: _Iterable[_Any],
    concurrency: int | None = None,
    progress: bool | str = False,
    **kwargs: _Any,
) -> _AsyncIterator[tuple[int, _Any]]: ...
async def run(fn: _Callable[_P, _R], /, *args: _P.args, **kwargs: _P.kwargs) -> _R: ...
def set_limits(max_in_flight: int | None = None, max_queued: int | None = None) -> None: ...
def shutdown(wait: bool = True) -> None: ...
def stats() -> dict[str, int | None]: ...

# the awaitable twins of the kernels
@overload
async def argmax(
    x: npt.ArrayLike,
    axis: None = None,
    out: None = None,
    *,
    keepdims: Literal[False] = False,
) -> np.int64: ...
@overload
async def argmax(x: npt.ArrayLike, axis: AxisLike, out: OutArray, *, keepdims: bool = False) -> OutArray: ...
@overload
async def argmax(
    x: npt.ArrayLike,
    axis: AxisLike = None,
    *,
    out: OutArray,
    keepdims: bool = False,
) -> OutArray: ...
@overload
async def argmax(
    x: npt.ArrayLike,
    axis: AxisLike = None,
    out: None = None,
    *,
    keepdims: bool = False,
) -> Reduced[np.int64]: ...
@overload
async def argmin(
    x: npt.ArrayLike,
    axis: None = None,
    out: None = None,
    *,
    keepdims: Literal[False] = False,
) -> np.int64: ...
@overload
async def argmin(x: npt.ArrayLike, axis: AxisLike, out: OutArray, *, keepdims: bool = False) -> OutArray: ...
@overload
async def argmin(
    x: npt.ArrayLike,
    axis: AxisLike = None,
    *,
    out: OutArray,
    keepdims: bool = False,
) -> OutArray: ...
@overload
async def argmin(
    x: npt.ArrayLike,
    axis: AxisLike = None,
    out: None = None,
    *,
    keepdims: bool = False,
) -> Reduced[np.int64]: ...
async def axpy(
    alpha: RealLike,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    out: npt.NDArray[np.floating[Any]] | None = None,
) -> npt.NDArray[np.floating[Any]]: ...
@overload
async def binary_cross_entropy(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> _Value: ...
@overload
async def binary_cross_entropy(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> FloatArray: ...
@overload
async def binary_cross_entropy(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def binary_cross_entropy(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def binary_cross_entropy(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ...,
    return_grad: bool = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> _Result: ...
@overload
async def binary_cross_entropy_with_logits(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    pos_weight: npt.ArrayLike | None = ...,
) -> _Value: ...
@overload
async def binary_cross_entropy_with_logits(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    pos_weight: npt.ArrayLike | None = ...,
) -> FloatArray: ...
@overload
async def binary_cross_entropy_with_logits(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
    pos_weight: npt.ArrayLike | None = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def binary_cross_entropy_with_logits(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
    pos_weight: npt.ArrayLike | None = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def binary_cross_entropy_with_logits(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ...,
    return_grad: bool = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    pos_weight: npt.ArrayLike | None = ...,
) -> _Result: ...
async def clip(
    x: npt.ArrayLike,
    lo: RealLike | npt.ArrayLike | None,
    hi: RealLike | npt.ArrayLike | None,
    *,
    out: npt.NDArray[NativeScalar] | None = None,
) -> npt.NDArray[NativeScalar]: ...
async def conv1d(
    input: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    stride: _Size1 = 1,
    padding: _Size1 | Literal['same', 'valid'] = 0,
    dilation: _Size1 = 1,
    groups: int = 1,
    *,
    method: Literal['auto', 'direct', 'gemm'] = "auto",
    out: FloatArray | None = None,
) -> FloatArray: ...
async def conv2d(
    input: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    stride: _Size2 = 1,
    padding: _Size2 | Literal['same', 'valid'] = 0,
    dilation: _Size2 = 1,
    groups: int = 1,
    *,
    method: Literal['auto', 'direct', 'gemm', 'winograd'] = "auto",
    out: FloatArray | None = None,
) -> FloatArray: ...
async def convolve(
    a: npt.ArrayLike,
    v: npt.ArrayLike,
    mode: _Mode = "full",
    *,
    method: _Method = "auto",
    out: FloatArray | None = None,
) -> FloatArray: ...
async def convolve2d(
    in1: npt.ArrayLike,
    in2: npt.ArrayLike,
    mode: _Mode = "full",
    boundary: _Boundary = "fill",
    fillvalue: _Fill = 0,
    *,
    method: _Method = "auto",
    out: FloatArray | None = None,
) -> FloatArray: ...
async def correlate(
    a: npt.ArrayLike,
    v: npt.ArrayLike,
    mode: _Mode = "valid",
    *,
    method: _Method = "auto",
    out: FloatArray | None = None,
) -> FloatArray: ...
async def correlate2d(
    in1: npt.ArrayLike,
    in2: npt.ArrayLike,
    mode: _Mode = "full",
    boundary: _Boundary = "fill",
    fillvalue: _Fill = 0,
    *,
    method: _Method = "auto",
    out: FloatArray | None = None,
) -> FloatArray: ...
@overload
async def cross_entropy(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[False] = ...,
    class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...,
    label_smoothing: float = ...,
) -> _Value: ...
@overload
async def cross_entropy(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...,
    label_smoothing: float = ...,
) -> FloatArray: ...
@overload
async def cross_entropy(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[True],
    class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...,
    label_smoothing: float = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def cross_entropy(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...,
    label_smoothing: float = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def cross_entropy(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ...,
    return_grad: bool = ...,
    class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...,
    label_smoothing: float = ...,
) -> _Result: ...
async def cumsum(x: npt.ArrayLike, axis: AxisLike = None) -> npt.NDArray[SumScalar]: ...
async def dot(a: npt.ArrayLike, b: npt.ArrayLike) -> NativeScalar: ...
@overload
async def hinge(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> _Value: ...
@overload
async def hinge(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> FloatArray: ...
@overload
async def hinge(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def hinge(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def hinge(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ...,
    return_grad: bool = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> _Result: ...
async def histogram(
    x: npt.ArrayLike,
    bins: int | np.integer[Any] | npt.ArrayLike = 10,
    range: tuple[RealLike, RealLike] | None = None,
    density: bool = False,
    weights: npt.ArrayLike | None = None,
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]: ...
@overload
async def huber(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    delta: float = ...,
) -> _Value: ...
@overload
async def huber(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    delta: float = ...,
) -> FloatArray: ...
@overload
async def huber(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
    delta: float = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def huber(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
    delta: float = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def huber(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ...,
    return_grad: bool = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    delta: float = ...,
) -> _Result: ...
@overload
async def kl_div(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _KlScalar = ...,
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    log_target: bool = ...,
) -> _Value: ...
@overload
async def kl_div(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    log_target: bool = ...,
) -> FloatArray: ...
@overload
async def kl_div(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _KlScalar = ...,
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
    log_target: bool = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def kl_div(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
    log_target: bool = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def kl_div(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _KlReduction = ...,
    return_grad: bool = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    log_target: bool = ...,
) -> _Result: ...
@overload
async def log_cosh(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> _Value: ...
@overload
async def log_cosh(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> FloatArray: ...
@overload
async def log_cosh(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def log_cosh(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def log_cosh(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ...,
    return_grad: bool = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> _Result: ...
@overload
async def logsumexp(
    x: npt.ArrayLike,
    axis: None = None,
    b: npt.ArrayLike | None = None,
    keepdims: Literal[False] = False,
    return_sign: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
async def logsumexp(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    b: npt.ArrayLike | None = None,
    keepdims: bool = False,
    return_sign: Literal[False] = False,
) -> Reduced[np.floating[Any]]: ...
@overload
async def logsumexp(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    b: npt.ArrayLike | None = None,
    keepdims: bool = False,
    *,
    return_sign: Literal[True],
) -> tuple[Reduced[np.floating[Any]], Reduced[np.floating[Any]]]: ...
@overload
async def logsumexp(
    x: npt.ArrayLike,
    axis: AxesLike,
    b: npt.ArrayLike | None,
    keepdims: bool,
    return_sign: Literal[True],
) -> tuple[Reduced[np.floating[Any]], Reduced[np.floating[Any]]]: ...
@overload
async def mae(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> _Value: ...
@overload
async def mae(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> FloatArray: ...
@overload
async def mae(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def mae(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def mae(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ...,
    return_grad: bool = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> _Result: ...
@overload
async def max(
    x: npt.ArrayLike,
    axis: None = None,
    out: None = None,
    keepdims: Literal[False] = False,
) -> NativeScalar: ...
@overload
async def max(x: npt.ArrayLike, axis: AxesLike, out: OutArray, keepdims: bool = False) -> OutArray: ...
@overload
async def max(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    *,
    out: OutArray,
    keepdims: bool = False,
) -> OutArray: ...
@overload
async def max(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    out: None = None,
    keepdims: bool = False,
) -> Reduced[NativeScalar]: ...
@overload
async def mean(
    x: npt.ArrayLike,
    axis: None = None,
    dtype: None = None,
    out: None = None,
    keepdims: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
async def mean(
    x: npt.ArrayLike,
    axis: AxesLike,
    dtype: DTypeArg,
    out: OutArray,
    keepdims: bool = False,
) -> OutArray: ...
@overload
async def mean(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    *,
    out: OutArray,
    keepdims: bool = False,
) -> OutArray: ...
@overload
async def mean(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    out: None = None,
    keepdims: bool = False,
) -> Reduced[np.floating[Any]]: ...
@overload
async def min(
    x: npt.ArrayLike,
    axis: None = None,
    out: None = None,
    keepdims: Literal[False] = False,
) -> NativeScalar: ...
@overload
async def min(x: npt.ArrayLike, axis: AxesLike, out: OutArray, keepdims: bool = False) -> OutArray: ...
@overload
async def min(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    *,
    out: OutArray,
    keepdims: bool = False,
) -> OutArray: ...
@overload
async def min(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    out: None = None,
    keepdims: bool = False,
) -> Reduced[NativeScalar]: ...
@overload
async def mse(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> _Value: ...
@overload
async def mse(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> FloatArray: ...
@overload
async def mse(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def mse(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def mse(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ...,
    return_grad: bool = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> _Result: ...
@overload
async def nll_loss(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[False] = ...,
    class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...,
) -> _Value: ...
@overload
async def nll_loss(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...,
) -> FloatArray: ...
@overload
async def nll_loss(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[True],
    class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def nll_loss(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def nll_loss(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ...,
    return_grad: bool = ...,
    class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...,
) -> _Result: ...
@overload
async def norm(
    x: npt.ArrayLike,
    ord: OrdLike = None,
    axis: None = None,
    keepdims: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
async def norm(
    x: npt.ArrayLike,
    ord: OrdLike = None,
    axis: AxesLike = None,
    keepdims: bool = False,
) -> Reduced[np.floating[Any]]: ...
@overload
async def pinball(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    quantile: float = ...,
) -> _Value: ...
@overload
async def pinball(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    quantile: float = ...,
) -> FloatArray: ...
@overload
async def pinball(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
    quantile: float = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def pinball(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
    quantile: float = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def pinball(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ...,
    return_grad: bool = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    quantile: float = ...,
) -> _Result: ...
@overload
async def poisson_nll(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    log_input: bool = ...,
    full: bool = ...,
    eps: float = ...,
) -> _Value: ...
@overload
async def poisson_nll(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    log_input: bool = ...,
    full: bool = ...,
    eps: float = ...,
) -> FloatArray: ...
@overload
async def poisson_nll(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
    log_input: bool = ...,
    full: bool = ...,
    eps: float = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def poisson_nll(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
    log_input: bool = ...,
    full: bool = ...,
    eps: float = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def poisson_nll(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ...,
    return_grad: bool = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    log_input: bool = ...,
    full: bool = ...,
    eps: float = ...,
) -> _Result: ...
@overload
async def smooth_l1(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    beta: float = ...,
) -> _Value: ...
@overload
async def smooth_l1(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    beta: float = ...,
) -> FloatArray: ...
@overload
async def smooth_l1(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
    beta: float = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def smooth_l1(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
    beta: float = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def smooth_l1(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ...,
    return_grad: bool = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
    beta: float = ...,
) -> _Result: ...
async def softmax(x: npt.ArrayLike, axis: AxesLike = -1) -> npt.NDArray[np.floating[Any]]: ...
@overload
async def sqdist(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    axis: None = None,
    keepdims: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
async def sqdist(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    axis: AxisLike = None,
    keepdims: bool = False,
) -> Reduced[np.floating[Any]]: ...
@overload
async def squared_hinge(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> _Value: ...
@overload
async def squared_hinge(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[False] = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> FloatArray: ...
@overload
async def squared_hinge(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ...,
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
) -> tuple[_Value, FloatArray]: ...
@overload
async def squared_hinge(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal['none'],
    return_grad: Literal[True],
    out: _Out = ...,
    grad_out: _Out = ...,
) -> tuple[FloatArray, FloatArray]: ...
@overload
async def squared_hinge(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ...,
    return_grad: bool = ...,
    out: _Out = ...,
    grad_out: _Out = ...,
) -> _Result: ...
@overload
async def std(
    x: npt.ArrayLike,
    axis: None = None,
    dtype: None = None,
    out: None = None,
    ddof: RealLike = 0,
    keepdims: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
async def std(
    x: npt.ArrayLike,
    axis: AxesLike,
    dtype: DTypeArg,
    out: OutArray,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> OutArray: ...
@overload
async def std(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    *,
    out: OutArray,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> OutArray: ...
@overload
async def std(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    out: None = None,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> Reduced[np.floating[Any]]: ...
@overload
async def sum(
    x: npt.ArrayLike,
    axis: None = None,
    dtype: None = None,
    out: None = None,
    keepdims: Literal[False] = False,
) -> SumScalar: ...
@overload
async def sum(
    x: npt.ArrayLike,
    axis: AxesLike,
    dtype: DTypeArg,
    out: OutArray,
    keepdims: bool = False,
) -> OutArray: ...
@overload
async def sum(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    *,
    out: OutArray,
    keepdims: bool = False,
) -> OutArray: ...
@overload
async def sum(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: None = None,
    out: None = None,
    keepdims: bool = False,
) -> Reduced[SumScalar]: ...
@overload
async def sum(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    out: None = None,
    keepdims: bool = False,
) -> Reduced[Any]: ...
@overload
async def var(
    x: npt.ArrayLike,
    axis: None = None,
    dtype: None = None,
    out: None = None,
    ddof: RealLike = 0,
    keepdims: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
async def var(
    x: npt.ArrayLike,
    axis: AxesLike,
    dtype: DTypeArg,
    out: OutArray,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> OutArray: ...
@overload
async def var(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    *,
    out: OutArray,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> OutArray: ...
@overload
async def var(
    x: npt.ArrayLike,
    axis: AxesLike = None,
    dtype: DTypeArg = None,
    out: None = None,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> Reduced[np.floating[Any]]: ...
