"""Loss functions: value and gradient in one fused pass, without the GIL.

Every loss takes ``(input, target, *, sample_weight=None, reduction="mean",
return_grad=False, **params)``:

- ``input``, ``target``: float32 or float64 arrays of any shape and strides
  (other real numbers are converted to float64; complex, bool, object and
  str are a TypeError). The result has the input's dtype; sums are
  accumulated in float64 whatever the dtype.
- ``reduction``: ``"mean"``, ``"sum"`` or ``"none"`` (per-element losses).
  With ``sample_weight`` (the shape of the per-sample losses), ``"mean"`` is
  ``sum(w * l) / sum(w)``.
- ``return_grad=True`` returns ``(value, grad)``: ``grad`` is d value / d
  input, the input's shape and dtype, computed in the same pass. For
  ``reduction="none"`` it is the gradient of ``value.sum()``.

Results are bitwise identical for any number of threads.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeAlias, TypeVar, cast, overload

import numpy as np
import numpy.typing as npt

from . import _validate as v
from ._context import call_kernel
from ._cyx import _losses as _k
from ._cyx._losses import LossKind, Reduction, RowLoss
from ._registry import kernel
from ._validate import FloatArray

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge",
    "huber",
    "kl_div",
    "log_cosh",
    "mae",
    "mse",
    "nll_loss",
    "pinball",
    "poisson_nll",
    "smooth_l1",
    "squared_hinge",
]

_REDUCTIONS_KL = {r.name: r for r in Reduction}  # kl_div alone has "batchmean"
_REDUCTIONS = {name: r for name, r in _REDUCTIONS_KL.items() if r is not Reduction.batchmean}

# The result types. "mean", "sum" (and kl_div's "batchmean") give a NumPy scalar of the
# input's dtype, "none" an array; return_grad=True adds the gradient, an array.
_Value: TypeAlias = np.floating[Any]
_Result: TypeAlias = _Value | FloatArray | tuple[_Value | FloatArray, FloatArray]
_Scalar: TypeAlias = Literal["mean", "sum"]
_Reduction: TypeAlias = Literal["mean", "sum", "none"]
_KlScalar: TypeAlias = Literal["mean", "sum", "batchmean"]
_KlReduction: TypeAlias = Literal["mean", "sum", "none", "batchmean"]
_F = TypeVar("_F", bound=Callable[..., object])

# Docstring sections every loss shares, written once; @_doc puts them in place of
# their @marker@ line.
_INPUT_TARGET = """\
input : array_like
    Predictions: float32 or float64 of any shape and strides (other real
    numbers are converted to float64), not empty.
target : array_like
    Targets, of ``input``'s shape.
sample_weight : array_like, optional
    A weight per element, of ``input``'s shape: ``"mean"`` is then
    ``sum(w * l) / sum(w)``."""
_RETURN_GRAD = """\
return_grad : bool, default False
    Also return the gradient of the value with respect to ``input``,
    computed in the same pass."""
_REDUCTION = """\
reduction : {"mean", "sum", "none"}, default "mean"
    The mean or the sum of the losses, or ``"none"``: the losses unreduced."""
_REDUCTION_KL = """\
reduction : {"mean", "sum", "none", "batchmean"}, default "mean"
    As for :func:`mse`; ``"batchmean"`` divides the sum by ``input.shape[0]``."""
_RETURNS = """\
Returns
-------
value : numpy.floating or numpy.ndarray
    A NumPy scalar of ``input``'s dtype (float32 or float64, accumulated in
    float64) for a reduction, an array of that dtype for ``"none"``.
grad : numpy.ndarray
    Only with ``return_grad=True``: d value / d ``input``, of ``input``'s
    shape and dtype (for ``"none"``, the gradient of ``value.sum()``).

Raises
------
TypeError
    If an array holds complex, bool, object or str data, ``reduction`` is
    not a str or a flag is not a bool.
ValueError
    If ``input`` is empty, an array has the wrong shape, ``reduction`` is
    not one of its choices or a parameter is out of its range."""
_SHARED_DOC = {
    "@input_target@": _INPUT_TARGET,
    "@reduction@": _REDUCTION + "\n" + _RETURN_GRAD,
    "@reduction_kl@": _REDUCTION_KL + "\n" + _RETURN_GRAD,
    "@returns@": _RETURNS,
}


def _doc(fn: _F) -> _F:
    """Puts the shared docstring sections in place of their markers in fn's docstring."""
    if fn.__doc__:
        for marker, text in _SHARED_DOC.items():
            fn.__doc__ = fn.__doc__.replace("    " + marker, textwrap.indent(text, "    "))
    return fn


def _finish(
    value: float, arr: FloatArray | None, grad: FloatArray | None, dtype: np.dtype[Any], return_grad: bool
) -> _Result:
    if arr is None:
        with np.errstate(over="ignore"):  # a float64 sum past float32's range is inf, as in torch
            result = dtype.type(value)
    else:
        result = arr
    return (result, cast(FloatArray, grad)) if return_grad else result  # grad is an array when asked for


def _elementwise(
    kind: LossKind,
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    sample_weight: npt.ArrayLike | None,
    reduction: str,
    return_grad: bool,
    p0: float = 0.0,
    flag0: int = 0,
    flag1: int = 0,
    extra: npt.ArrayLike | None = None,
    reductions: Mapping[str, Reduction] = _REDUCTIONS,
) -> _Result:
    x = v.as_float(input, "input")
    y = v.as_float_like(target, "target", x)
    if x.size == 0:
        raise ValueError("input: must not be empty")
    red = v.choice(reduction, "reduction", reductions)
    w = None if sample_weight is None else v.as_float_like(sample_weight, "sample_weight", x)
    if extra is not None:
        extra = v.broadcast_float(extra, "pos_weight", x)
    grad = v.flag(return_grad, "return_grad")
    batch = float(x.shape[0]) if x.ndim else 1.0
    value, arr, g = call_kernel(_k.elementwise, kind, x, y, w, extra, red, batch, grad, p0, flag0, flag1)
    return _finish(value, arr, g, x.dtype, grad)


# fmt: off
@overload
def mse(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ...) -> _Value: ...
@overload
def mse(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ...) -> FloatArray: ...
@overload
def mse(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True]) -> tuple[_Value, FloatArray]: ...
@overload
def mse(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True]) -> tuple[FloatArray, FloatArray]: ...
@overload
def mse(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ...) -> _Result: ...
# fmt: on


@kernel
@_doc
def mse(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
) -> _Result:
    """Mean squared error, ``(input - target)**2``; torch ``mse_loss``.

    Parameters
    ----------
    @input_target@
    @reduction@

    @returns@

    See Also
    --------
    mae, huber, smooth_l1, log_cosh

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.mse(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0]))
    np.float64(1.3333333333333333)
    >>> value, grad = gilfree.mse([1.0, 3.0], [0.0, 0.0], reduction="sum", return_grad=True)
    >>> float(value), grad.tolist()
    (10.0, [2.0, 6.0])
    """
    return _elementwise(LossKind.mse, input, target, sample_weight, reduction, return_grad)


# fmt: off
@overload
def mae(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ...) -> _Value: ...
@overload
def mae(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ...) -> FloatArray: ...
@overload
def mae(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True]) -> tuple[_Value, FloatArray]: ...
@overload
def mae(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True]) -> tuple[FloatArray, FloatArray]: ...
@overload
def mae(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ...) -> _Result: ...
# fmt: on


@kernel
@_doc
def mae(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
) -> _Result:
    """Mean absolute error, ``|input - target|``; torch ``l1_loss``.

    The gradient at ``input == target`` is 0, as in torch.

    Parameters
    ----------
    @input_target@
    @reduction@

    @returns@

    See Also
    --------
    mse, huber, smooth_l1, pinball

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.mae(np.array([1.0, -2.0]), np.array([0.0, 0.0]))
    np.float64(1.5)
    """
    return _elementwise(LossKind.mae, input, target, sample_weight, reduction, return_grad)


# fmt: off
@overload
def huber(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ..., delta: float = ...) -> _Value: ...
@overload
def huber(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., delta: float = ...) -> FloatArray: ...
@overload
def huber(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True], delta: float = ...
) -> tuple[_Value, FloatArray]: ...
@overload
def huber(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], delta: float = ...
) -> tuple[FloatArray, FloatArray]: ...
@overload
def huber(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ..., delta: float = ...) -> _Result: ...
# fmt: on


@kernel
@_doc
def huber(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
    delta: float = 1.0,
) -> _Result:
    """Huber loss; torch ``huber_loss``.

    ``0.5 d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 delta)``,
    with ``d = input - target``. ``delta`` must be > 0.

    Parameters
    ----------
    @input_target@
    @reduction@
    delta : float, default 1.0
        Where the loss turns from quadratic to linear; must be > 0.

    @returns@

    See Also
    --------
    smooth_l1, mse, mae

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.huber(np.array([0.5, 3.0]), np.zeros(2), reduction="none").tolist()
    [0.125, 2.5]
    """
    delta = v.real(delta, "delta", low=0.0, low_open=True)
    return _elementwise(LossKind.huber, input, target, sample_weight, reduction, return_grad, delta)


# fmt: off
@overload
def smooth_l1(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ..., beta: float = ...) -> _Value: ...
@overload
def smooth_l1(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., beta: float = ...) -> FloatArray: ...
@overload
def smooth_l1(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True], beta: float = ...) -> tuple[_Value, FloatArray]: ...
@overload
def smooth_l1(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], beta: float = ...
) -> tuple[FloatArray, FloatArray]: ...
@overload
def smooth_l1(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ..., beta: float = ...) -> _Result: ...
# fmt: on


@kernel
@_doc
def smooth_l1(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
    beta: float = 1.0,
) -> _Result:
    """Smooth L1 loss; torch ``smooth_l1_loss``.

    ``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``;
    ``beta=0`` is the L1 loss. ``beta`` must be >= 0.

    Parameters
    ----------
    @input_target@
    @reduction@
    beta : float, default 1.0
        Where the loss turns from quadratic to linear; must be >= 0.

    @returns@

    See Also
    --------
    huber, mae

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.smooth_l1(np.array([0.5, 3.0]), np.zeros(2), reduction="none").tolist()
    [0.125, 2.5]
    """
    beta = v.real(beta, "beta", low=0.0)
    return _elementwise(LossKind.smooth_l1, input, target, sample_weight, reduction, return_grad, beta)


# fmt: off
@overload
def log_cosh(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ...) -> _Value: ...
@overload
def log_cosh(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ...) -> FloatArray: ...
@overload
def log_cosh(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True]) -> tuple[_Value, FloatArray]: ...
@overload
def log_cosh(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True]) -> tuple[FloatArray, FloatArray]: ...
@overload
def log_cosh(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ...) -> _Result: ...
# fmt: on


@kernel
@_doc
def log_cosh(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
) -> _Result:
    """Log-cosh loss, ``log(cosh(input - target))``.

    Evaluated as ``|d| + log1p(exp(-2|d|)) - log 2`` with ``d = input - target``:
    exact for residuals of 1e30.

    Parameters
    ----------
    @input_target@
    @reduction@

    @returns@

    See Also
    --------
    huber, smooth_l1

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.log_cosh(np.array([1e30]), np.array([0.0]))
    np.float64(1e+30)
    """
    return _elementwise(LossKind.log_cosh, input, target, sample_weight, reduction, return_grad)


# fmt: off
@overload
def pinball(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ..., quantile: float = ...) -> _Value: ...
@overload
def pinball(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., quantile: float = ...) -> FloatArray: ...
@overload
def pinball(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True], quantile: float = ...
) -> tuple[_Value, FloatArray]: ...
@overload
def pinball(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], quantile: float = ...
) -> tuple[FloatArray, FloatArray]: ...
@overload
def pinball(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ..., quantile: float = ...) -> _Result: ...
# fmt: on


@kernel
@_doc
def pinball(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
    quantile: float = 0.5,
) -> _Result:
    """Pinball (quantile) loss; scikit-learn ``PinballLoss``.

    With ``d = target - input``: ``quantile * d`` where ``d >= 0``, else
    ``(quantile - 1) * d``. ``quantile`` must lie in (0, 1).

    Parameters
    ----------
    @input_target@
    @reduction@
    quantile : float, default 0.5
        The quantile to estimate, in (0, 1).

    @returns@

    See Also
    --------
    mae

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.pinball(np.array([0.0, 0.0]), np.array([1.0, -1.0]), quantile=0.9, reduction="none").tolist()
    [0.9, 0.09999999999999998]
    """
    q = v.real(quantile, "quantile", low=0.0, high=1.0, low_open=True, high_open=True)
    return _elementwise(LossKind.pinball, input, target, sample_weight, reduction, return_grad, q)


# fmt: off
@overload
def poisson_nll(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ..., log_input: bool = ..., full: bool = ...,
    eps: float = ...) -> _Value: ...
@overload
def poisson_nll(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., log_input: bool = ..., full: bool = ...,
    eps: float = ...) -> FloatArray: ...
@overload
def poisson_nll(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True], log_input: bool = ..., full: bool = ...,
    eps: float = ...) -> tuple[_Value, FloatArray]: ...
@overload
def poisson_nll(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], log_input: bool = ..., full: bool = ...,
    eps: float = ...) -> tuple[FloatArray, FloatArray]: ...
@overload
def poisson_nll(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ..., log_input: bool = ..., full: bool = ...,
    eps: float = ...) -> _Result: ...
# fmt: on


@kernel
@_doc
def poisson_nll(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
) -> _Result:
    """Poisson negative log-likelihood; torch ``poisson_nll_loss``.

    ``exp(input) - target * input`` when ``log_input``, else
    ``input - target * log(input + eps)``; ``full`` adds Stirling's term
    ``target*log(target) - target + 0.5*log(2*pi*target)`` where target > 1.

    Parameters
    ----------
    @input_target@
    @reduction@
    log_input : bool, default True
        Whether ``input`` is the log of the rate (else the rate itself).
    full : bool, default False
        Whether to add Stirling's approximation term.
    eps : float, default 1e-8
        Added to ``input`` before its log when ``log_input`` is False; >= 0.

    @returns@

    See Also
    --------
    binary_cross_entropy, kl_div

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.poisson_nll(np.array([0.0]), np.array([2.0]))
    np.float64(1.0)
    """
    log_input = v.flag(log_input, "log_input")
    full = v.flag(full, "full")
    eps = v.real(eps, "eps", low=0.0)
    return _elementwise(
        LossKind.poisson_nll,
        input,
        target,
        sample_weight,
        reduction,
        return_grad,
        eps,
        int(log_input),
        int(full),
    )


# fmt: off
@overload
def binary_cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: _Scalar = ..., return_grad: Literal[False] = ...
) -> _Value: ...
@overload
def binary_cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: Literal["none"], return_grad: Literal[False] = ...
) -> FloatArray: ...
@overload
def binary_cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: _Scalar = ..., return_grad: Literal[True]
) -> tuple[_Value, FloatArray]: ...
@overload
def binary_cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: Literal["none"], return_grad: Literal[True]
) -> tuple[FloatArray, FloatArray]: ...
@overload
def binary_cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: _Reduction = ..., return_grad: bool = ...
) -> _Result: ...
# fmt: on


@kernel
@_doc
def binary_cross_entropy(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
) -> _Result:
    """Binary cross-entropy on probabilities; torch ``binary_cross_entropy``.

    ``-(target*log(input) + (1-target)*log(1-input))`` with each log clamped
    at -100 as torch does, so ``input`` of exactly 0 or 1 gives a finite
    loss. ``input`` and ``target`` must lie in [0, 1] (a ValueError
    otherwise; torch checks only ``input``). The gradient is torch's,
    ``(input - target) / max(input*(1-input), 1e-12)``.

    Parameters
    ----------
    @input_target@
    @reduction@

    @returns@

    See Also
    --------
    binary_cross_entropy_with_logits, cross_entropy

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.binary_cross_entropy(np.array([0.5, 1.0]), np.array([1.0, 0.0]), reduction="none").tolist()
    [0.6931471805599453, 100.0]
    """
    return _elementwise(LossKind.binary_cross_entropy, input, target, sample_weight, reduction, return_grad)


# fmt: off
@overload
def binary_cross_entropy_with_logits(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: _Scalar = ..., return_grad: Literal[False] = ...,
    pos_weight: npt.ArrayLike | None = ...) -> _Value: ...
@overload
def binary_cross_entropy_with_logits(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: Literal["none"], return_grad: Literal[False] = ...,
    pos_weight: npt.ArrayLike | None = ...) -> FloatArray: ...
@overload
def binary_cross_entropy_with_logits(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: _Scalar = ..., return_grad: Literal[True],
    pos_weight: npt.ArrayLike | None = ...) -> tuple[_Value, FloatArray]: ...
@overload
def binary_cross_entropy_with_logits(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: Literal["none"], return_grad: Literal[True],
    pos_weight: npt.ArrayLike | None = ...) -> tuple[FloatArray, FloatArray]: ...
@overload
def binary_cross_entropy_with_logits(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: _Reduction = ..., return_grad: bool = ...,
    pos_weight: npt.ArrayLike | None = ...) -> _Result: ...
# fmt: on


@kernel
@_doc
def binary_cross_entropy_with_logits(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
    pos_weight: npt.ArrayLike | None = None,
) -> _Result:
    """Binary cross-entropy on logits; torch ``binary_cross_entropy_with_logits``.

    ``(1-target)*input + (1 + (pos_weight-1)*target) * softplus(-input)``,
    with softplus in its stable form: finite for logits of +-1e30.
    ``pos_weight`` (scalar or broadcastable to the input, typically one per
    class along the last axis) weighs the positive term.

    Parameters
    ----------
    @input_target@
    @reduction@
    pos_weight : array_like, optional
        Weight of the positive term: a scalar or an array broadcastable to
        ``input``'s shape.

    @returns@

    See Also
    --------
    binary_cross_entropy, cross_entropy

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> logits, target = np.array([0.0, -1e4]), np.array([1.0, 1.0])
    >>> gilfree.binary_cross_entropy_with_logits(logits, target, reduction="none").tolist()
    [0.6931471805599453, 10000.0]
    """
    return _elementwise(
        LossKind.binary_cross_entropy_with_logits,
        input,
        target,
        sample_weight,
        reduction,
        return_grad,
        extra=pos_weight,
    )


# fmt: off
@overload
def kl_div(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _KlScalar = ..., return_grad: Literal[False] = ..., log_target: bool = ...) -> _Value: ...
@overload
def kl_div(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., log_target: bool = ...) -> FloatArray: ...
@overload
def kl_div(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _KlScalar = ..., return_grad: Literal[True], log_target: bool = ...
) -> tuple[_Value, FloatArray]: ...
@overload
def kl_div(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], log_target: bool = ...
) -> tuple[FloatArray, FloatArray]: ...
@overload
def kl_div(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _KlReduction = ..., return_grad: bool = ..., log_target: bool = ...) -> _Result: ...
# fmt: on


@kernel
@_doc
def kl_div(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _KlReduction = "mean",
    return_grad: bool = False,
    log_target: bool = False,
) -> _Result:
    """Kullback-Leibler divergence; torch ``kl_div`` (``input`` is log-probabilities).

    ``xlogy(target, target) - target * input``, or with ``log_target``,
    ``exp(target) * (target - input)``. ``reduction="batchmean"`` divides
    the sum by ``input.shape[0]`` (the mathematical KL divergence, as torch
    recommends). Negative targets are a ValueError when ``log_target`` is False.

    Parameters
    ----------
    @input_target@
    @reduction_kl@
    log_target : bool, default False
        Whether ``target`` holds log-probabilities.

    @returns@

    See Also
    --------
    cross_entropy, nll_loss

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> p = np.array([[0.5, 0.5]]); q = np.array([[0.25, 0.75]])
    >>> round(float(gilfree.kl_div(np.log(q), p, reduction="batchmean")), 6)
    0.143841
    """
    log_target = v.flag(log_target, "log_target")
    return _elementwise(
        LossKind.kl_div,
        input,
        target,
        sample_weight,
        reduction,
        return_grad,
        flag0=int(log_target),
        reductions=_REDUCTIONS_KL,
    )


# fmt: off
@overload
def hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ...) -> _Value: ...
@overload
def hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ...) -> FloatArray: ...
@overload
def hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True]) -> tuple[_Value, FloatArray]: ...
@overload
def hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True]) -> tuple[FloatArray, FloatArray]: ...
@overload
def hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ...) -> _Result: ...
# fmt: on


@kernel
@_doc
def hinge(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
) -> _Result:
    """Hinge loss ``max(0, 1 - target * input)`` (targets usually +-1).

    Parameters
    ----------
    @input_target@
    @reduction@

    @returns@

    See Also
    --------
    squared_hinge

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.hinge(np.array([0.3, 2.0]), np.array([1.0, 1.0]), reduction="none").tolist()
    [0.7, 0.0]
    """
    return _elementwise(LossKind.hinge, input, target, sample_weight, reduction, return_grad)


# fmt: off
@overload
def squared_hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ...) -> _Value: ...
@overload
def squared_hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ...) -> FloatArray: ...
@overload
def squared_hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True]) -> tuple[_Value, FloatArray]: ...
@overload
def squared_hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True]) -> tuple[FloatArray, FloatArray]: ...
@overload
def squared_hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ...) -> _Result: ...
# fmt: on


@kernel
@_doc
def squared_hinge(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
) -> _Result:
    """Squared hinge loss ``max(0, 1 - target * input)**2``.

    Parameters
    ----------
    @input_target@
    @reduction@

    @returns@

    See Also
    --------
    hinge

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.squared_hinge(np.array([0.5, 2.0]), np.array([1.0, 1.0]), reduction="none").tolist()
    [0.25, 0.0]
    """
    return _elementwise(LossKind.squared_hinge, input, target, sample_weight, reduction, return_grad)


# ---------------------------------------------------------------- (N, C) losses


def _class_targets(target: npt.ArrayLike, n: int, c: int, unbatched: bool) -> npt.NDArray[np.int64]:
    t = v.as_array(target, "target")
    if t.dtype.kind not in "iu":
        raise TypeError(f"target: expected integer class indices, got {t.dtype}")
    want = () if unbatched else (n,)
    if t.shape != want:
        raise ValueError(f"target: expected class indices of shape {want}, got {t.shape}")
    if t.dtype == np.uint64 and t.size and t.max() > v.INT64_MAX:  # would wrap to a negative int64
        raise ValueError(f"target: class index {int(t.max())} out of range [0, {c})")
    return t.reshape(n).astype(np.int64, copy=False)


def _rows(
    which: RowLoss,
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    sample_weight: npt.ArrayLike | None,
    reduction: str,
    return_grad: bool,
    class_weight: npt.ArrayLike | None,
    ignore_index: int,
    label_smoothing: float,
) -> _Result:
    x = v.as_float(input, "input")
    if x.ndim not in (1, 2):
        raise ValueError(f"input: expected shape (N, C) or (C,), got {x.ndim}-d shape {x.shape}")
    unbatched = x.ndim == 1
    x2 = x.reshape(1, -1) if unbatched else x
    n, c = x2.shape
    if x.size == 0:
        raise ValueError(f"input: must not be empty, got shape {x.shape}")
    red = v.choice(reduction, "reduction", _REDUCTIONS)
    grad = v.flag(return_grad, "return_grad")
    ignore_index = v.integer(ignore_index, "ignore_index")
    ti = tp = None
    t = v.as_array(target, "target")
    if which is RowLoss.cross_entropy and t.dtype.kind == "f":
        tp = v.as_float_like(t, "target", x).reshape(n, c)
    else:
        ti = _class_targets(t, n, c, unbatched)
    cw = None
    if class_weight is not None:
        cw = v.as_float(class_weight, "class_weight")
        if cw.shape != (c,):
            raise ValueError(f"class_weight: expected shape ({c},) (one per class), got {cw.shape}")
        cw = np.ascontiguousarray(cw, dtype=np.float64)
    sw = None
    if sample_weight is not None:
        sw = v.as_float(sample_weight, "sample_weight")
        if sw.shape != x.shape[:-1]:
            raise ValueError(f"sample_weight: expected shape {x.shape[:-1]} (one per sample), got {sw.shape}")
        sw = sw.reshape(n).astype(x.dtype, copy=False)
    value, arr, g = call_kernel(_k.rows, which, x2, ti, tp, cw, sw, ignore_index, label_smoothing, red, grad)
    if unbatched:
        arr = None if arr is None else arr.reshape(())
        g = None if g is None else g.reshape(c)
    return _finish(value, arr, g, x.dtype, grad)


# fmt: off
@overload
def cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ..., class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ..., label_smoothing: float = ...) -> _Value: ...
@overload
def cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ..., label_smoothing: float = ...) -> FloatArray: ...
@overload
def cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True], class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ..., label_smoothing: float = ...) -> tuple[_Value, FloatArray]: ...
@overload
def cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ..., label_smoothing: float = ...) -> tuple[FloatArray, FloatArray]: ...
@overload
def cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ..., class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ..., label_smoothing: float = ...) -> _Result: ...
# fmt: on


@kernel
@_doc
def cross_entropy(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
    class_weight: npt.ArrayLike | None = None,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> _Result:
    """Cross-entropy of logits; torch ``cross_entropy``, fused in one pass.

    Parameters
    ----------
    input : array_like, shape (N, C) or (C,)
        Unnormalised logits, float32 or float64 (other real numbers are
        converted to float64).
    target : array_like, shape (N,) or ()
        Class indices in [0, C) (or ``ignore_index``), or a float array of
        ``input``'s shape with class probabilities in [0, 1].
    sample_weight : array_like, shape (N,) or (), optional
        A weight per sample: ``"mean"`` is then ``sum(w * l) / sum(w)``.
    @reduction@
    class_weight : array_like, shape (C,), optional
        Torch's ``weight``: a weight per class. With class indices and
        ``reduction="mean"`` the sum is divided by the summed weight of the
        non-ignored targets (times ``sample_weight`` where given).
    ignore_index : int, default -100
        Rows whose target is this index contribute nothing (class indices only).
    label_smoothing : float, default 0.0
        In [0, 1]: mixes the target with the uniform distribution, as torch does.

    @returns@

    See Also
    --------
    nll_loss, binary_cross_entropy_with_logits, kl_div

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> logits = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    >>> round(float(gilfree.cross_entropy(logits, np.array([0, 2]))), 6)
    0.669079
    """
    ls = v.real(label_smoothing, "label_smoothing", low=0.0, high=1.0)
    return _rows(
        RowLoss.cross_entropy,
        input,
        target,
        sample_weight,
        reduction,
        return_grad,
        class_weight,
        ignore_index,
        ls,
    )


# fmt: off
@overload
def nll_loss(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ..., class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...) -> _Value: ...
@overload
def nll_loss(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...) -> FloatArray: ...
@overload
def nll_loss(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True], class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...) -> tuple[_Value, FloatArray]: ...
@overload
def nll_loss(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...) -> tuple[FloatArray, FloatArray]: ...
@overload
def nll_loss(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ..., class_weight: npt.ArrayLike | None = ...,
    ignore_index: int = ...) -> _Result: ...
# fmt: on


@kernel
@_doc
def nll_loss(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
    class_weight: npt.ArrayLike | None = None,
    ignore_index: int = -100,
) -> _Result:
    """Negative log-likelihood of log-probabilities; torch ``nll_loss``.

    Parameters
    ----------
    input : array_like, shape (N, C) or (C,)
        Log-probabilities, float32 or float64 (other real numbers are
        converted to float64).
    target : array_like of int, shape (N,) or ()
        Class indices in [0, C) (or ``ignore_index``).
    sample_weight : array_like, shape (N,) or (), optional
        A weight per sample: ``"mean"`` is then ``sum(w * l) / sum(w)``.
    @reduction@
    class_weight : array_like, shape (C,), optional
        A weight per class, as in :func:`cross_entropy`.
    ignore_index : int, default -100
        Rows whose target is this index contribute nothing.

    @returns@

    See Also
    --------
    cross_entropy

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> logp = np.log(np.array([[0.5, 0.5], [0.25, 0.75]]))
    >>> round(float(gilfree.nll_loss(logp, np.array([0, 1]))), 6)
    0.490415
    """
    return _rows(
        RowLoss.nll_loss,
        input,
        target,
        sample_weight,
        reduction,
        return_grad,
        class_weight,
        ignore_index,
        0.0,
    )
