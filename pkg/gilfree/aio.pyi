"""Type stub of gilfree.aio, written by tools/make_aio_stub.py: do not edit."""

from collections.abc import AsyncIterator as _AsyncIterator
from collections.abc import Callable as _Callable
from collections.abc import Iterable as _Iterable
from typing import Any, Literal, ParamSpec, TypeVar, overload
from typing import Any as _Any

import numpy as np
import numpy.typing as npt

from gilfree._executor import Overloaded as Overloaded
from gilfree._loops_args import AxisLike, NativeScalar, RealLike, Reduced, SumScalar

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
async def argmax(x: npt.ArrayLike, axis: None = None, keepdims: Literal[False] = False) -> np.int64: ...
@overload
async def argmax(x: npt.ArrayLike, axis: AxisLike = None, keepdims: bool = False) -> Reduced[np.int64]: ...
@overload
async def argmin(x: npt.ArrayLike, axis: None = None, keepdims: Literal[False] = False) -> np.int64: ...
@overload
async def argmin(x: npt.ArrayLike, axis: AxisLike = None, keepdims: bool = False) -> Reduced[np.int64]: ...
async def axpy(
    alpha: RealLike,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    out: npt.NDArray[np.floating[Any]] | None = None,
) -> npt.NDArray[np.floating[Any]]: ...
async def binary_cross_entropy(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
) -> Any: ...
async def binary_cross_entropy_with_logits(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
    pos_weight: Any = None,
) -> Any: ...
async def clip(
    x: npt.ArrayLike,
    lo: RealLike | None,
    hi: RealLike | None,
    *,
    out: npt.NDArray[NativeScalar] | None = None,
) -> npt.NDArray[NativeScalar]: ...
async def conv1d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
    *,
    method: Any = "auto",
) -> Any: ...
async def conv2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
    *,
    method: Any = "auto",
) -> Any: ...
async def convolve(a: Any, v: Any, mode: Any = "full", *, method: Any = "auto") -> Any: ...
async def convolve2d(
    in1: Any,
    in2: Any,
    mode: Any = "full",
    boundary: Any = "fill",
    fillvalue: Any = 0,
    *,
    method: Any = "auto",
) -> Any: ...
async def correlate(a: Any, v: Any, mode: Any = "valid", *, method: Any = "auto") -> Any: ...
async def correlate2d(
    in1: Any,
    in2: Any,
    mode: Any = "full",
    boundary: Any = "fill",
    fillvalue: Any = 0,
    *,
    method: Any = "auto",
) -> Any: ...
async def cross_entropy(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
    class_weight: Any = None,
    ignore_index: Any = -100,
    label_smoothing: Any = 0.0,
) -> Any: ...
async def cumsum(x: npt.ArrayLike, axis: AxisLike = None) -> npt.NDArray[SumScalar]: ...
async def dot(a: npt.ArrayLike, b: npt.ArrayLike) -> NativeScalar: ...
async def hinge(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
) -> Any: ...
async def histogram(
    x: npt.ArrayLike,
    bins: int | np.integer[Any] = 10,
    range: tuple[RealLike, RealLike] | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.floating[Any]]]: ...
async def huber(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
    delta: Any = 1.0,
) -> Any: ...
async def kl_div(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
    log_target: Any = False,
) -> Any: ...
async def log_cosh(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
) -> Any: ...
@overload
async def logsumexp(
    x: npt.ArrayLike,
    axis: None = None,
    keepdims: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
async def logsumexp(
    x: npt.ArrayLike,
    axis: AxisLike = None,
    keepdims: bool = False,
) -> Reduced[np.floating[Any]]: ...
async def mae(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
) -> Any: ...
@overload
async def max(x: npt.ArrayLike, axis: None = None, keepdims: Literal[False] = False) -> NativeScalar: ...
@overload
async def max(x: npt.ArrayLike, axis: AxisLike = None, keepdims: bool = False) -> Reduced[NativeScalar]: ...
@overload
async def mean(x: npt.ArrayLike, axis: None = None, keepdims: Literal[False] = False) -> np.floating[Any]: ...
@overload
async def mean(
    x: npt.ArrayLike,
    axis: AxisLike = None,
    keepdims: bool = False,
) -> Reduced[np.floating[Any]]: ...
@overload
async def min(x: npt.ArrayLike, axis: None = None, keepdims: Literal[False] = False) -> NativeScalar: ...
@overload
async def min(x: npt.ArrayLike, axis: AxisLike = None, keepdims: bool = False) -> Reduced[NativeScalar]: ...
async def mse(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
) -> Any: ...
async def nll_loss(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
    class_weight: Any = None,
    ignore_index: Any = -100,
) -> Any: ...
@overload
async def norm(
    x: npt.ArrayLike,
    ord: RealLike = 2,
    axis: None = None,
    keepdims: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
async def norm(
    x: npt.ArrayLike,
    ord: RealLike = 2,
    axis: AxisLike = None,
    keepdims: bool = False,
) -> Reduced[np.floating[Any]]: ...
async def pinball(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
    quantile: Any = 0.5,
) -> Any: ...
async def poisson_nll(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
    log_input: Any = True,
    full: Any = False,
    eps: Any = 1e-08,
) -> Any: ...
async def smooth_l1(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
    beta: Any = 1.0,
) -> Any: ...
async def softmax(x: npt.ArrayLike, axis: AxisLike = -1) -> npt.NDArray[np.floating[Any]]: ...
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
async def squared_hinge(
    input: Any,
    target: Any,
    *,
    sample_weight: Any = None,
    reduction: Any = "mean",
    return_grad: Any = False,
) -> Any: ...
@overload
async def std(
    x: npt.ArrayLike,
    axis: None = None,
    ddof: RealLike = 0,
    keepdims: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
async def std(
    x: npt.ArrayLike,
    axis: AxisLike = None,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> Reduced[np.floating[Any]]: ...
@overload
async def sum(x: npt.ArrayLike, axis: None = None, keepdims: Literal[False] = False) -> SumScalar: ...
@overload
async def sum(x: npt.ArrayLike, axis: AxisLike = None, keepdims: bool = False) -> Reduced[SumScalar]: ...
@overload
async def var(
    x: npt.ArrayLike,
    axis: None = None,
    ddof: RealLike = 0,
    keepdims: Literal[False] = False,
) -> np.floating[Any]: ...
@overload
async def var(
    x: npt.ArrayLike,
    axis: AxisLike = None,
    ddof: RealLike = 0,
    keepdims: bool = False,
) -> Reduced[np.floating[Any]]: ...
