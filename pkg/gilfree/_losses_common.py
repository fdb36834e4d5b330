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
from ._registry import common_call
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
_Out: TypeAlias = FloatArray | None  # an out= or grad_out= buffer
_F = TypeVar("_F", bound=Callable[..., object])

# Docstring sections every loss shares, written once; @_doc puts them in place of
# their @marker@ line.
_INPUT_TARGET = """\
input : array_like
    Predictions: float32 or float64 of any shape and strides (integers and
    bool are converted to float64, float16 to float32), not empty.
target : array_like
    Targets; ``input``, ``target`` and ``sample_weight`` broadcast together
    (NumPy's rules: a scalar target works); the losses have the broadcast shape.
sample_weight : array_like, optional
    A weight per element, broadcast likewise: ``"mean"`` is then
    ``sum(w * l) / sum(w)`` over the broadcast shape."""
_RETURN_GRAD = """\
return_grad : bool, default False
    Also return the gradient of the value with respect to ``input``,
    computed in the same pass."""
_BUFFERS = """\
out : numpy.ndarray, optional
    Only with ``reduction="none"``: where to write the losses (and the array
    returned). It must have the broadcast shape and exactly the result's dtype,
    be writeable and aligned, have distinct elements (any strides otherwise)
    and share no memory with the other arrays; it is checked before anything
    is written, and a failed check leaves it untouched.
grad_out : numpy.ndarray, optional
    Only with ``return_grad=True``: where to write the gradient (and the
    array returned), of ``input``'s shape and dtype; checked as ``out``."""
_REDUCTION = """\
reduction : {"mean", "sum", "none"}, default "mean"
    The mean or the sum of the losses, or ``"none"``: the losses unreduced."""
_REDUCTION_KL = """\
reduction : {"mean", "sum", "none", "batchmean"}, default "mean"
    As for :func:`mse`; ``"batchmean"`` divides the sum by ``input.shape[0]``."""
_RETURNS_HEAD = """\
Returns
-------
value : numpy.floating or numpy.ndarray
    A NumPy scalar of ``input``'s dtype (float32 or float64, accumulated in
    float64) for a reduction, an array of that dtype for ``"none"``.
grad : numpy.ndarray
    Only with ``return_grad=True``: d value / d ``input``, of ``input``'s
    shape and dtype (for ``"none"``, the gradient of ``value.sum()``)."""
_RETURNS = (
    _RETURNS_HEAD
    + """

Raises
------
TypeError
    If an array holds complex, object or str data (see the dtype policy), ``reduction`` is
    not a str or a flag is not a bool.
ValueError
    If ``input`` is empty, an array has the wrong shape, ``reduction`` is
    not one of its choices or a parameter is out of its range."""
)
_RETURNS_ELEMENTWISE = (
    _RETURNS_HEAD
    + """ Where
    broadcasting stretched ``input``, the full-shape gradient is summed back
    over the stretched axes (as torch's autograd does), in float64.

Raises
------
TypeError
    If an array holds complex, bool, object or str data, ``reduction`` is
    not a str, a flag is not a bool, or ``out``/``grad_out`` is not an
    ndarray of the result's dtype.
ValueError
    If ``input`` or the broadcast result is empty, the shapes do not
    broadcast, ``reduction`` is not one of its choices, a parameter is out of
    its range, or ``out``/``grad_out`` fails its checks."""
)
_SHARED_DOC = {
    "@input_target@": _INPUT_TARGET,
    "@reduction@": _REDUCTION + "\n" + _RETURN_GRAD,
    "@reduction_kl@": _REDUCTION_KL + "\n" + _RETURN_GRAD,
    "@returns@": _RETURNS,
    "@returns_elementwise@": _RETURNS_ELEMENTWISE,
    "@buffers@": _BUFFERS,
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
    # value is exact in dtype: the kernels round it (a float32 sum past its range is inf, as in torch)
    result = dtype.type(value) if arr is None else arr
    return (result, cast(FloatArray, grad)) if return_grad else result  # grad is an array when asked for


def _sum_to(g: FloatArray, shape: tuple[int, ...]) -> np.ndarray:
    """The full-shape gradient g summed back to input's `shape` over the axes broadcasting
    added or stretched (torch's autograd rule), in float64: NumPy's single-threaded
    pairwise sum, so the result does not depend on the thread count."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n != g.shape[lead + i])
    return np.add.reduce(g, axis=axes, dtype=np.float64).reshape(shape)


def _common(fast: Callable[..., Any], *prefix: object, params: tuple[str, ...] = ()) -> Callable[[_F], _F]:
    """Decorator of a loss: its common call ``fn(input, target)`` is offered to the binding's
    entry ``fast(*prefix, input, target, reduction, return_grad, *defaults of params)``, all
    read from fn's signature."""

    def wrap(fn: _F) -> _F:
        kw = getattr(fn, "__kwdefaults__", None) or {}
        suffix = (_REDUCTIONS[kw["reduction"]], kw["return_grad"], *(kw[p] for p in params))
        return common_call(fast, *prefix, suffix=suffix)(fn)

    return wrap


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
    out: object = None,
    grad_out: object = None,
) -> _Result:
    if (
        sample_weight is None
        and extra is None
        and out is None
        and type(reduction) is str
        and (return_grad is False or return_grad is True)
    ):
        red = reductions.get(reduction)
        if red is not None:
            # two plain arrays that need no conversion (and a plain grad_out): the binding takes
            # the whole call
            res = _k.elementwise_common(kind, input, target, red, return_grad, p0, flag0, flag1, grad_out)
            if res is not None:
                return res  # type: ignore[no-any-return]
    x = v.as_float(input, "input")
    named = [(target, "target"), (sample_weight, "sample_weight"), (extra, "pos_weight")]
    shape, arrs = v.broadcast_floats(x, named)
    operands = [(x, "input")] + [(a, n) for a, (_, n) in zip(arrs, named, strict=True)]
    if 0 in shape:
        empty = [n for a, n in operands if a is not None and a.size == 0]
        raise ValueError(f"{empty[0]}: must not be empty (the result's shape would be {shape})")
    red = v.choice(reduction, "reduction", reductions)
    grad = v.flag(return_grad, "return_grad")
    if out is not None:
        if red is not Reduction.none:
            raise ValueError(f"out: only for reduction='none', got reduction={reduction!r}")
        out = v.out_array(out, "out", shape, x.dtype, operands)
    if grad_out is not None:
        if not grad:
            raise ValueError("grad_out: only with return_grad=True, got return_grad=False")
        grad_out = v.out_array(grad_out, "grad_out", x.shape, x.dtype, operands + [(out, "out")])
    xb, y, w, e = v.broadcast_views(shape, [x, *arrs])
    widened = shape != x.shape  # input is the smaller operand: the gradient is summed back
    batch = float(x.shape[0]) if x.ndim else 1.0
    value, arr, g = call_kernel(
        _k.elementwise, kind, xb, y, w, e, red, batch, grad, p0, flag0, flag1,
        out, None if widened else grad_out,
    )  # fmt: skip
    if grad and widened:
        summed = _sum_to(g, x.shape)
        if grad_out is None:
            g = summed.astype(x.dtype)
        else:
            np.copyto(grad_out, summed, casting="unsafe")
            g = grad_out
    return _finish(value, arr, g, x.dtype, grad)
