"""Row-wise losses (see gilfree.losses): cross_entropy and nll_loss on (C,), (N, C) and
(N, C, d1, ..., dk) input."""

from __future__ import annotations

import math
from typing import Literal, overload

import numpy as np
import numpy.typing as npt

from . import _validate as v
from ._context import call_kernel
from ._cyx import _losses as _k
from ._cyx._losses import RowLoss
from ._losses_common import (
    _REDUCTIONS,
    _common,
    _doc,
    _finish,
    _Reduction,
    _Result,
    _Scalar,
    _Value,
)
from ._registry import kernel
from ._validate import FloatArray


def _as_rows(x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    """x as the kernel's rows, and the shape of its per-row losses.

    (C,) is one row, (N, C) N rows; (N, C, d1, ..., dk) is viewed as (N, C, D) with
    D = d1 * ... * dk, N * D rows of C classes at the stride of axis 1 (no copy unless the
    d axes of a strided view do not merge into one).
    """
    if x.ndim == 0:
        raise ValueError("input: expected shape (C,), (N, C) or (N, C, d1, ..., dk), got a 0-d array")
    if x.size == 0:
        raise ValueError(f"input: must not be empty, got shape {x.shape}")
    if x.ndim == 1:
        return x.reshape(1, -1), ()
    if x.ndim == 2:
        return x, x.shape[:1]
    return x.reshape(x.shape[0], x.shape[1], math.prod(x.shape[2:])), x.shape[:1] + x.shape[2:]


def _class_targets(t: np.ndarray, lead: tuple[int, ...], c: int) -> npt.NDArray[np.int64]:
    if t.dtype.kind not in "iu":
        raise TypeError(f"target: expected integer class indices, got {t.dtype}")
    if t.shape != lead:
        raise ValueError(
            f"target: expected class indices of shape {lead} (input's shape without the class axis 1), "
            f"got {t.shape}"
        )
    if t.dtype == np.uint64 and t.size and t.max() > v.INT64_MAX:  # would wrap to a negative int64
        raise ValueError(f"target: class index {int(t.max())} out of range [0, {c})")
    return t.reshape(-1).astype(np.int64, copy=False)


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
    if (
        sample_weight is None
        and class_weight is None
        and type(reduction) is str
        and (return_grad is False or return_grad is True)
        and type(ignore_index) is int
        and v.INT64_MIN <= ignore_index <= v.INT64_MAX
    ):
        red = _REDUCTIONS.get(reduction)
        if red is not None:
            # (N, C) logits and (N,) int64 labels: the binding takes the whole call
            res = _k.rows_common(which, input, target, red, return_grad, ignore_index, label_smoothing)
            if res is not None:
                return res  # type: ignore[no-any-return]
    x = v.as_float(input, "input")
    xr, lead = _as_rows(x)
    c = x.shape[0] if x.ndim == 1 else x.shape[1]
    red = v.choice(reduction, "reduction", _REDUCTIONS)
    grad = v.flag(return_grad, "return_grad")
    ignore_index = v.integer(ignore_index, "ignore_index")
    ti = tp = None
    t = v.as_array(target, "target")
    if which is RowLoss.cross_entropy and t.dtype.kind == "f":
        tp = v.as_float_like(t, "target", x).reshape(xr.shape)
    else:
        ti = _class_targets(t, lead, c)
    cw = None
    if class_weight is not None:
        cw = v.as_float(class_weight, "class_weight")
        if cw.shape != (c,):
            raise ValueError(f"class_weight: expected shape ({c},) (one per class), got {cw.shape}")
        cw = np.ascontiguousarray(cw, dtype=np.float64)
    sw = None
    if sample_weight is not None:
        sw = v.as_float(sample_weight, "sample_weight")
        if sw.shape != lead:
            raise ValueError(
                f"sample_weight: expected shape {lead} (one per target: input's shape without the "
                f"class axis 1), got {sw.shape}"
            )
        sw = sw.reshape(-1).astype(x.dtype, copy=False)
    value, arr, g = call_kernel(_k.rows, which, xr, ti, tp, cw, sw, ignore_index, label_smoothing, red, grad)
    if arr is not None and x.ndim != 2:
        arr = arr.reshape(lead)
    if g is not None and x.ndim != 2:
        g = g.reshape(x.shape)
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
@_common(_k.rows_common, RowLoss.cross_entropy, params=("ignore_index", "label_smoothing"))
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
    input : array_like, shape (N, C), (C,) or (N, C, d1, ..., dk)
        Unnormalised logits, float32 or float64 (other real numbers are
        converted to float64), the classes along axis 1 (axis 0 for (C,)),
        any strides. As in torch, each of the N * d1 * ... * dk positions
        is one sample of C logits.
    target : array_like, shape (N,), () or (N, d1, ..., dk)
        Class indices in [0, C) (or ``ignore_index``), of ``input``'s shape
        without the class axis, or a float array of ``input``'s shape with
        class probabilities in [0, 1]. ``reduction="none"`` gives the losses
        in the shape without the class axis.
    sample_weight : array_like, shape (N,), () or (N, d1, ..., dk), optional
        A weight per sample (per position of the class-index target):
        ``"mean"`` is then ``sum(w * l) / sum(w)``. Not in torch.
    @reduction@
    class_weight : array_like, shape (C,), optional
        Torch's ``weight``: a weight per class. With class indices and
        ``reduction="mean"`` the sum is divided by the summed weight of the
        non-ignored targets (times ``sample_weight`` where given); with
        probabilities by the number of samples (or the summed
        ``sample_weight``), as torch does.
    ignore_index : int, default -100
        Samples whose target is this index contribute nothing (class indices only).
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

    K-dimensional input, e.g. per-pixel classes of (N, C, H, W) logits
    with (N, H, W) labels; ``"none"`` gives the (N, H, W) losses:

    >>> scores = np.zeros((2, 3, 4, 5))
    >>> labels = np.zeros((2, 4, 5), dtype=np.int64)
    >>> per_pixel = gilfree.cross_entropy(scores, labels, reduction="none")
    >>> per_pixel.shape, round(float(per_pixel[0, 0, 0]), 6)  # log 3
    ((2, 4, 5), 1.098612)
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
@_common(_k.rows_common, RowLoss.nll_loss, params=("ignore_index",))
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
    input : array_like, shape (N, C), (C,) or (N, C, d1, ..., dk)
        Log-probabilities, float32 or float64 (other real numbers are
        converted to float64), the classes along axis 1 (axis 0 for (C,)),
        any strides.
    target : array_like of int, shape (N,), () or (N, d1, ..., dk)
        Class indices in [0, C) (or ``ignore_index``), of ``input``'s shape
        without the class axis; ``reduction="none"`` gives the losses in
        this shape.
    sample_weight : array_like, shape (N,), () or (N, d1, ..., dk), optional
        A weight per sample (per position of ``target``): ``"mean"`` is then
        ``sum(w * l) / sum(w)``. Not in torch.
    @reduction@
    class_weight : array_like, shape (C,), optional
        A weight per class, as in :func:`cross_entropy`.
    ignore_index : int, default -100
        Samples whose target is this index contribute nothing.

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
    >>> logp_k = np.log(np.full((1, 2, 3), 0.5))  # (N, C, d1): three samples
    >>> gilfree.nll_loss(logp_k, np.array([[0, 1, 1]]), reduction="none").shape
    (1, 3)
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
