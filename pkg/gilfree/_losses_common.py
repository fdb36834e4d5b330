"""What every loss shares: the argument checks of the element-wise losses,
the result types, the reduction tables and the docstring sections (written
once, put in place by @_doc). See gilfree.losses."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeAlias, TypeVar, cast

import numpy as np
import numpy.typing as npt

from . import _validate as v
from ._context import call_kernel
from ._cyx import _losses as _k
from ._cyx._losses import LossKind, Reduction
from ._validate import FloatArray

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
    Predictions: float32 or float64 of any shape and strides (integers and
    bool are converted to float64, float16 to float32), not empty.
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
    If an array holds complex, object or str data (see the dtype policy), ``reduction`` is
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
