"""(N, C) losses (see gilfree.losses): cross_entropy and nll_loss."""

from __future__ import annotations

from typing import Literal, overload

import numpy as np
import numpy.typing as npt

from . import _validate as v
from ._context import call_kernel
from ._cyx import _losses as _k
from ._cyx._losses import RowLoss
from ._losses_common import (
    _REDUCTIONS,
    _doc,
    _finish,
    _Reduction,
    _Result,
    _Scalar,
    _Value,
)
from ._registry import kernel
from ._validate import FloatArray


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
