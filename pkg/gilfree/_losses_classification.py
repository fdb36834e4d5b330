"""Classification losses on one score per element (see gilfree.losses):
binary cross-entropies, hinge losses, kl_div."""

from __future__ import annotations

from typing import Literal, overload

import numpy.typing as npt

from . import _validate as v
from ._cyx import _losses as _k
from ._cyx._losses import LossKind
from ._losses_common import (
    _REDUCTIONS_KL,
    _common,
    _doc,
    _elementwise,
    _KlReduction,
    _KlScalar,
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
def binary_cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: _Scalar = ..., return_grad: Literal[False] = ...,
    out: _Out = ..., grad_out: _Out = ...
) -> _Value: ...
@overload
def binary_cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: Literal["none"], return_grad: Literal[False] = ...,
    out: _Out = ..., grad_out: _Out = ...
) -> FloatArray: ...
@overload
def binary_cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: _Scalar = ..., return_grad: Literal[True],
    out: _Out = ..., grad_out: _Out = ...
) -> tuple[_Value, FloatArray]: ...
@overload
def binary_cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: Literal["none"], return_grad: Literal[True],
    out: _Out = ..., grad_out: _Out = ...
) -> tuple[FloatArray, FloatArray]: ...
@overload
def binary_cross_entropy(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: _Reduction = ..., return_grad: bool = ...,
    out: _Out = ..., grad_out: _Out = ...
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
    out: _Out = None,
    grad_out: _Out = None,
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
    @buffers@

    @returns_elementwise@

    See Also
    --------
    binary_cross_entropy_with_logits, cross_entropy

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.binary_cross_entropy(np.array([0.5, 1.0]), np.array([1.0, 0.0]), reduction="none").tolist()
    [0.6931471805599453, 100.0]
    """
    return _elementwise(
        LossKind.binary_cross_entropy,
        input,
        target,
        sample_weight,
        reduction,
        return_grad,
        out=out,
        grad_out=grad_out,
    )


# fmt: off
@overload
def binary_cross_entropy_with_logits(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: _Scalar = ..., return_grad: Literal[False] = ...,
    out: _Out = ..., grad_out: _Out = ...,
    pos_weight: npt.ArrayLike | None = ...) -> _Value: ...
@overload
def binary_cross_entropy_with_logits(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: Literal["none"], return_grad: Literal[False] = ...,
    out: _Out = ..., grad_out: _Out = ...,
    pos_weight: npt.ArrayLike | None = ...) -> FloatArray: ...
@overload
def binary_cross_entropy_with_logits(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: _Scalar = ..., return_grad: Literal[True],
    out: _Out = ..., grad_out: _Out = ...,
    pos_weight: npt.ArrayLike | None = ...) -> tuple[_Value, FloatArray]: ...
@overload
def binary_cross_entropy_with_logits(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: Literal["none"], return_grad: Literal[True],
    out: _Out = ..., grad_out: _Out = ...,
    pos_weight: npt.ArrayLike | None = ...) -> tuple[FloatArray, FloatArray]: ...
@overload
def binary_cross_entropy_with_logits(input: npt.ArrayLike, target: npt.ArrayLike, *,
    sample_weight: npt.ArrayLike | None = ..., reduction: _Reduction = ..., return_grad: bool = ...,
    out: _Out = ..., grad_out: _Out = ...,
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
    out: _Out = None,
    grad_out: _Out = None,
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
    @buffers@
    pos_weight : array_like, optional
        Weight of the positive term: a scalar or an array broadcastable to
        ``input``'s shape.

    @returns_elementwise@

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
        out=out,
        grad_out=grad_out,
    )


# fmt: off
@overload
def kl_div(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _KlScalar = ..., return_grad: Literal[False] = ...,
    out: _Out = ..., grad_out: _Out = ..., log_target: bool = ...) -> _Value: ...
@overload
def kl_div(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ...,
    out: _Out = ..., grad_out: _Out = ..., log_target: bool = ...) -> FloatArray: ...
@overload
def kl_div(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _KlScalar = ..., return_grad: Literal[True],
    out: _Out = ..., grad_out: _Out = ..., log_target: bool = ...
) -> tuple[_Value, FloatArray]: ...
@overload
def kl_div(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True],
    out: _Out = ..., grad_out: _Out = ..., log_target: bool = ...
) -> tuple[FloatArray, FloatArray]: ...
@overload
def kl_div(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _KlReduction = ..., return_grad: bool = ...,
    out: _Out = ..., grad_out: _Out = ..., log_target: bool = ...) -> _Result: ...
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
    out: _Out = None,
    grad_out: _Out = None,
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
    @buffers@
    log_target : bool, default False
        Whether ``target`` holds log-probabilities.

    @returns_elementwise@

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
        out=out,
        grad_out=grad_out,
    )


# fmt: off
@overload
def hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ...,
    out: _Out = ..., grad_out: _Out = ...) -> _Value: ...
@overload
def hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ...,
    out: _Out = ..., grad_out: _Out = ...) -> FloatArray: ...
@overload
def hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True],
    out: _Out = ..., grad_out: _Out = ...) -> tuple[_Value, FloatArray]: ...
@overload
def hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True],
    out: _Out = ..., grad_out: _Out = ...) -> tuple[FloatArray, FloatArray]: ...
@overload
def hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ...,
    out: _Out = ..., grad_out: _Out = ...) -> _Result: ...
# fmt: on


@kernel
@_common(_k.elementwise_common, LossKind.hinge)
@_doc
def hinge(
    input: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    reduction: _Reduction = "mean",
    return_grad: bool = False,
    out: _Out = None,
    grad_out: _Out = None,
) -> _Result:
    """Hinge loss ``max(0, 1 - target * input)`` (targets usually +-1).

    Parameters
    ----------
    @input_target@
    @reduction@
    @buffers@

    @returns_elementwise@

    See Also
    --------
    squared_hinge

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.hinge(np.array([0.3, 2.0]), np.array([1.0, 1.0]), reduction="none").tolist()
    [0.7, 0.0]
    """
    return _elementwise(
        LossKind.hinge, input, target, sample_weight, reduction, return_grad, out=out, grad_out=grad_out
    )


# fmt: off
@overload
def squared_hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[False] = ...,
    out: _Out = ..., grad_out: _Out = ...) -> _Value: ...
@overload
def squared_hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[False] = ...,
    out: _Out = ..., grad_out: _Out = ...) -> FloatArray: ...
@overload
def squared_hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Scalar = ..., return_grad: Literal[True],
    out: _Out = ..., grad_out: _Out = ...) -> tuple[_Value, FloatArray]: ...
@overload
def squared_hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: Literal["none"], return_grad: Literal[True],
    out: _Out = ..., grad_out: _Out = ...) -> tuple[FloatArray, FloatArray]: ...
@overload
def squared_hinge(input: npt.ArrayLike, target: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = ...,
    reduction: _Reduction = ..., return_grad: bool = ...,
    out: _Out = ..., grad_out: _Out = ...) -> _Result: ...
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
    out: _Out = None,
    grad_out: _Out = None,
) -> _Result:
    """Squared hinge loss ``max(0, 1 - target * input)**2``.

    Parameters
    ----------
    @input_target@
    @reduction@
    @buffers@

    @returns_elementwise@

    See Also
    --------
    hinge

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.squared_hinge(np.array([0.5, 2.0]), np.array([1.0, 1.0]), reduction="none").tolist()
    [0.25, 0.0]
    """
    return _elementwise(
        LossKind.squared_hinge,
        input,
        target,
        sample_weight,
        reduction,
        return_grad,
        out=out,
        grad_out=grad_out,
    )
