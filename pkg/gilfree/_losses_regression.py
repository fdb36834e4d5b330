"""Regression losses (see gilfree.losses): mse, mae, huber, smooth_l1,
log_cosh, pinball, poisson_nll."""

from __future__ import annotations

from typing import Literal, overload

import numpy.typing as npt

from . import _validate as v
from ._cyx import _losses as _k
from ._cyx._losses import LossKind
from ._losses_common import (
    _common,
    _doc,
    _elementwise,
    _Out,
    _Reduction,
    _Result,
    _Scalar,
    _Value,
)
from ._registry import kernel
from ._validate import FloatArray


# fmt: off
@overload
def mse(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ...) -> _Value: ...
@overload
def mse(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ...) -> FloatArray: ...
@overload
def mse(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ...) -> tuple[_Value, FloatArray]: ...
@overload
def mse(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ...) -> tuple[FloatArray, FloatArray]: ...
@overload
def mse(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ..., out: _Out = ...,
    grad_out: _Out = ...) -> _Result: ...
# fmt: on


@kernel
@_common(_k.elementwise_common, LossKind.mse)
@_doc
def mse(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
    out: _Out = None,
    grad_out: _Out = None,
) -> _Result:
    """Mean squared error, ``(input - target)**2``; torch ``mse_loss``.

    Parameters
    ----------
    @input_target@
    @reduction@
    @buffers@

    @returns_elementwise@

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
    return _elementwise(
        LossKind.mse, input, target, sample_weight, reduction, return_grad, out=out, grad_out=grad_out
    )


# fmt: off
@overload
def mae(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ...) -> _Value: ...
@overload
def mae(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ...) -> FloatArray: ...
@overload
def mae(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ...) -> tuple[_Value, FloatArray]: ...
@overload
def mae(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ...) -> tuple[FloatArray, FloatArray]: ...
@overload
def mae(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ..., out: _Out = ...,
    grad_out: _Out = ...) -> _Result: ...
# fmt: on


@kernel
@_common(_k.elementwise_common, LossKind.mae)
@_doc
def mae(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
    out: _Out = None,
    grad_out: _Out = None,
) -> _Result:
    """Mean absolute error, ``|input - target|``; torch ``l1_loss``.

    The gradient at ``input == target`` is 0, as in torch.

    Parameters
    ----------
    @input_target@
    @reduction@
    @buffers@

    @returns_elementwise@

    See Also
    --------
    mse, huber, smooth_l1, pinball

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.mae(np.array([1.0, -2.0]), np.array([0.0, 0.0]))
    np.float64(1.5)
    """
    return _elementwise(
        LossKind.mae, input, target, sample_weight, reduction, return_grad, out=out, grad_out=grad_out
    )


# fmt: off
@overload
def huber(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ..., delta: float = ...) -> _Value: ...
@overload
def huber(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ..., delta: float = ...) -> FloatArray: ...
@overload
def huber(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ..., delta: float = ...
) -> tuple[_Value, FloatArray]: ...
@overload
def huber(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ..., delta: float = ...
) -> tuple[FloatArray, FloatArray]: ...
@overload
def huber(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ..., out: _Out = ...,
    grad_out: _Out = ..., delta: float = ...) -> _Result: ...
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
    out: _Out = None,
    grad_out: _Out = None,
    delta: float = 1.0,
) -> _Result:
    """Huber loss; torch ``huber_loss``.

    ``0.5 d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 delta)``,
    with ``d = input - target``. ``delta`` must be > 0.

    Parameters
    ----------
    @input_target@
    @reduction@
    @buffers@
    delta : float, default 1.0
        Where the loss turns from quadratic to linear; must be > 0.

    @returns_elementwise@

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
    return _elementwise(
        LossKind.huber,
        input,
        target,
        sample_weight,
        reduction,
        return_grad,
        delta,
        out=out,
        grad_out=grad_out,
    )


# fmt: off
@overload
def smooth_l1(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ..., beta: float = ...) -> _Value: ...
@overload
def smooth_l1(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ..., beta: float = ...) -> FloatArray: ...
@overload
def smooth_l1(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ..., beta: float = ...) -> tuple[_Value, FloatArray]: ...
@overload
def smooth_l1(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ..., beta: float = ...
) -> tuple[FloatArray, FloatArray]: ...
@overload
def smooth_l1(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ..., out: _Out = ...,
    grad_out: _Out = ..., beta: float = ...) -> _Result: ...
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
    out: _Out = None,
    grad_out: _Out = None,
    beta: float = 1.0,
) -> _Result:
    """Smooth L1 loss; torch ``smooth_l1_loss``.

    ``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``;
    ``beta=0`` is the L1 loss. ``beta`` must be >= 0.

    Parameters
    ----------
    @input_target@
    @reduction@
    @buffers@
    beta : float, default 1.0
        Where the loss turns from quadratic to linear; must be >= 0.

    @returns_elementwise@

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
    return _elementwise(
        LossKind.smooth_l1,
        input,
        target,
        sample_weight,
        reduction,
        return_grad,
        beta,
        out=out,
        grad_out=grad_out,
    )


# fmt: off
@overload
def log_cosh(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ...) -> _Value: ...
@overload
def log_cosh(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ...) -> FloatArray: ...
@overload
def log_cosh(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ...) -> tuple[_Value, FloatArray]: ...
@overload
def log_cosh(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ...) -> tuple[FloatArray, FloatArray]: ...
@overload
def log_cosh(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ..., out: _Out = ...,
    grad_out: _Out = ...) -> _Result: ...
# fmt: on


@kernel
@_common(_k.elementwise_common, LossKind.log_cosh)
@_doc
def log_cosh(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
    out: _Out = None,
    grad_out: _Out = None,
) -> _Result:
    """Log-cosh loss, ``log(cosh(input - target))``.

    Evaluated as ``|d| + log1p(exp(-2|d|)) - log 2`` with ``d = input - target``:
    exact for residuals of 1e30.

    Parameters
    ----------
    @input_target@
    @reduction@
    @buffers@

    @returns_elementwise@

    See Also
    --------
    huber, smooth_l1

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.log_cosh(np.array([1e30]), np.array([0.0]))
    np.float64(1e+30)
    """
    return _elementwise(
        LossKind.log_cosh, input, target, sample_weight, reduction, return_grad, out=out, grad_out=grad_out
    )


# fmt: off
@overload
def pinball(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ..., quantile: float = ...) -> _Value: ...
@overload
def pinball(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ..., quantile: float = ...) -> FloatArray: ...
@overload
def pinball(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ..., quantile: float = ...
) -> tuple[_Value, FloatArray]: ...
@overload
def pinball(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ..., quantile: float = ...
) -> tuple[FloatArray, FloatArray]: ...
@overload
def pinball(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ..., out: _Out = ...,
    grad_out: _Out = ..., quantile: float = ...) -> _Result: ...
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
    out: _Out = None,
    grad_out: _Out = None,
    quantile: float = 0.5,
) -> _Result:
    """Pinball (quantile) loss; scikit-learn ``PinballLoss``.

    With ``d = target - input``: ``quantile * d`` where ``d >= 0``, else
    ``(quantile - 1) * d``. ``quantile`` must lie in (0, 1).

    Parameters
    ----------
    @input_target@
    @reduction@
    @buffers@
    quantile : float, default 0.5
        The quantile to estimate, in (0, 1).

    @returns_elementwise@

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
    return _elementwise(
        LossKind.pinball, input, target, sample_weight, reduction, return_grad, q, out=out, grad_out=grad_out
    )


# fmt: off
@overload
def poisson_nll(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ..., log_input: bool = ..., full: bool = ...,
    eps: float = ...) -> _Value: ...
@overload
def poisson_nll(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ..., out: _Out = ...,
    grad_out: _Out = ..., log_input: bool = ..., full: bool = ...,
    eps: float = ...) -> FloatArray: ...
@overload
def poisson_nll(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ..., log_input: bool = ..., full: bool = ...,
    eps: float = ...) -> tuple[_Value, FloatArray]: ...
@overload
def poisson_nll(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True], out: _Out = ...,
    grad_out: _Out = ..., log_input: bool = ..., full: bool = ...,
    eps: float = ...) -> tuple[FloatArray, FloatArray]: ...
@overload
def poisson_nll(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ..., out: _Out = ...,
    grad_out: _Out = ..., log_input: bool = ..., full: bool = ...,
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
    out: _Out = None,
    grad_out: _Out = None,
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
    @buffers@
    log_input : bool, default True
        Whether ``input`` is the log of the rate (else the rate itself).
    full : bool, default False
        Whether to add Stirling's approximation term.
    eps : float, default 1e-8
        Added to ``input`` before its log when ``log_input`` is False; >= 0.

    @returns_elementwise@

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
        out=out,
        grad_out=grad_out,
    )
