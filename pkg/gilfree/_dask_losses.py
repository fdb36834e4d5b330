"""gilfree.dask's losses: every gilfree loss on Dask arrays.

Each block runs the in-memory loss with ``reduction="sum"`` (float32 blocks
as float64, so the partial sum is the kernel's own float64 sum) and returns
``(sum, divisor)``; a tree reduction adds the partials and the last task
divides, as the kernel does. The gradient of a mean scales each block's
gradient of the sum by ``1 / divisor``, a lazy Dask scalar.
"""

from __future__ import annotations

import inspect

import dask.array as da
import numpy as np

from . import _validate as v
from . import losses as _mem
from ._dask_common import align, as_dask, f64, float_dtype, task

_ROWS = ["cross_entropy", "nll_loss"]  # (N, C) rows; every other loss is elementwise
_ELEMENTWISE = [name for name in _mem.__all__ if name not in _ROWS]


# ------------------------------------------------------------------ block functions (picklable)


def _divisor(name, x, target, sample_weight, params):
    """The block's share of the mean's divisor, as the kernel counts it."""
    if name in _ROWS:
        if target.dtype.kind in "iu":  # the summed weight of the non-ignored targets, by the kernel
            ones = np.broadcast_to(-1.0, x.shape)
            keep = {k: params[k] for k in ("class_weight", "ignore_index") if k in params}
            return float(_mem.nll_loss(ones, target, sample_weight=sample_weight, reduction="sum", **keep))
        n = x.shape[0]
    else:
        n = x.size
    return float(n) if sample_weight is None else float(np.sum(f64(sample_weight), dtype=np.float64))


def _block(name, want_grad, params, x, target, sample_weight=None, pos_weight=None):
    """(array [sum, divisor] of shape (1,)*ndim + (2,), float64 gradient of the sum or None)."""
    fn = getattr(_mem, name)
    extra = {} if pos_weight is None else {"pos_weight": f64(pos_weight)}
    tgt = target if target.dtype.kind in "iu" else f64(target)
    sw = None if sample_weight is None else f64(sample_weight)
    out = fn(f64(x), tgt, sample_weight=sw, reduction="sum", return_grad=want_grad, **extra, **params)
    value, grad = out if want_grad else (out, None)
    div = _divisor(name, x, target, sample_weight, params)
    state = np.array([float(value), div]).reshape((1,) * x.ndim + (2,))
    return state, grad


def _block_none(name, want_grad, params, x, target, sample_weight=None, pos_weight=None):
    """(per-element losses, gradient or None), as the in-memory reduction="none"."""
    fn = getattr(_mem, name)
    extra = {} if pos_weight is None else {"pos_weight": pos_weight}
    out = fn(
        x, target, sample_weight=sample_weight, reduction="none", return_grad=want_grad, **extra, **params
    )
    return out if want_grad else (out, None)


def _first(pair):
    return pair[0]


def _first_of_row(pairs):
    return pairs[0][0]


def _grad(pair, dtype, divisor=None):
    g = pair[1]
    if divisor is not None:
        g = g * (1.0 / float(divisor))
    return g.astype(dtype, copy=False)


def _finish(total, reduction, batch, dtype):
    """The loss from the summed (sum, divisor), in the input's dtype."""
    s, div = np.float64(total[0]), np.float64(total[1])
    # 0 / 0 is NaN as in memory; a float64 sum past float32's range is inf, as in memory
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        value = s / div if reduction == "mean" else s / batch if reduction == "batchmean" else s
        return np.asarray(dtype.type(value))


# ------------------------------------------------------------------ graph building


def _operands(name, input, target, sample_weight, pos_weight):
    """Dask operands aligned on input's chunks, float ones in input's dtype (as in memory)."""
    x = as_dask(input, "input")
    dt = float_dtype(x, "input")
    ref, refname = x, "input"
    if name in _ROWS:
        if x.ndim != 2:
            raise ValueError(f"input: expected a Dask array of shape (N, C), got {x.ndim}-d shape {x.shape}")
        if len(x.chunks[1]) > 1:
            raise ValueError(
                f"input: {name} needs the classes (axis 1) in one chunk, got {len(x.chunks[1])} chunks; "
                "rechunk with input.rechunk({1: -1})"
            )
        ref, refname = x[:, 0], "input's rows"
    t = target if isinstance(target, da.Array) else v.as_array(target, "target")
    if name in _ROWS and t.dtype.kind in "iu":
        t = align(ref, t, "target", refname)
    else:
        t = _as(align(x, t, "target", "input"), float_dtype(t, "target"), dt)
    sw = pw = None
    if sample_weight is not None:
        sw = align(ref, sample_weight, "sample_weight", refname)
        sw = _as(sw, float_dtype(sw, "sample_weight"), dt)
    if pos_weight is not None:
        pw = align(x, pos_weight, "pos_weight", "input")
        pw = _as(pw, float_dtype(pw, "pos_weight"), dt)
    return _as(x, dt, dt), t, sw, pw


def _as(a, checked, dt):
    """a (whose dtype `checked` passed the float check) as dt."""
    return a if a.dtype == dt else a.astype(dt)


def _probe(name, x, t, sw, pw, params):
    """Runs the in-memory loss on zeros of one element (one row for the (N, C) losses): every argument
    error is raised now, by gilfree's own checks, with its own message."""
    if x.size == 0:
        shape = x.shape  # in memory: "must not be empty"
    else:  # one element, or one row of classes
        shape = (1, x.shape[1]) if name in _ROWS else (1,) * x.ndim
    zx = np.zeros(shape, x.dtype)
    zt = np.zeros(shape[:1] if t.ndim == 1 else shape, t.dtype)
    zs = None if sw is None else np.ones(shape[:1] if name in _ROWS else shape, sw.dtype)
    extra = {} if pw is None else {"pos_weight": np.ones(shape, pw.dtype)}
    getattr(_mem, name)(zx, zt, sample_weight=zs, **extra, **params)


def _loss(name, input, target, threads_per_task, sample_weight, reduction, return_grad, pos_weight, params):
    from ._dask_common import _check_threads

    n = _check_threads(threads_per_task)
    x, t, sw, pw = _operands(name, input, target, sample_weight, pos_weight)
    _probe(name, x, t, sw, pw, {"reduction": reduction, "return_grad": return_grad, **params})
    want = bool(return_grad)
    args = [x, t] + ([] if sw is None and pw is None else [sw]) + ([] if pw is None else [pw])
    ind = tuple(range(x.ndim))
    pairs = []
    for a in args:
        pairs += [a, None] if a is None else [a, ind[: a.ndim]]
    meta = np.empty((0,) * x.ndim, object)
    if reduction == "none":
        pair = _blockwise(_block_none, n, ind, pairs, name, want, params, meta)
        if name in _ROWS:  # per-row losses: the class axis (one chunk) is dropped
            value = da.blockwise(
                _first_of_row, (0,), pair, (0, 1), dtype=x.dtype, meta=np.empty((0,), x.dtype)
            )
        else:
            value = pair.map_blocks(_first, dtype=x.dtype, meta=np.empty((0,) * x.ndim, x.dtype))
        grad = pair.map_blocks(_grad, x.dtype, dtype=x.dtype, meta=np.empty((0,) * x.ndim, x.dtype))
        return (value, grad) if want else value
    pair = _blockwise(_block, n, ind, pairs, name, want, params, meta)
    state_chunks = tuple((1,) * len(c) for c in x.chunks) + ((2,),)
    state = pair.map_blocks(
        _first, chunks=state_chunks, new_axis=[x.ndim], dtype=np.float64, meta=np.empty((0,) * (x.ndim + 1))
    )
    total = state.sum(axis=ind)  # a tree reduction of the float64 partials
    batch = float(x.shape[0]) if x.ndim else 1.0
    value = total.map_blocks(
        _finish, reduction, batch, x.dtype, drop_axis=0, dtype=x.dtype, meta=np.empty((), x.dtype)
    )
    if not want:
        return value
    if reduction == "mean":
        grad = da.blockwise(
            _grad,
            ind,
            pair,
            ind,
            x.dtype,
            None,
            total[1],
            (),
            dtype=x.dtype,
            meta=np.empty((0,) * x.ndim, x.dtype),
        )
    elif reduction == "batchmean":
        grad = pair.map_blocks(_grad, x.dtype, batch, dtype=x.dtype, meta=np.empty((0,) * x.ndim, x.dtype))
    else:
        grad = pair.map_blocks(_grad, x.dtype, dtype=x.dtype, meta=np.empty((0,) * x.ndim, x.dtype))
    return value, grad


def _blockwise(fn, n, ind, pairs, name, want, params, meta):
    """One task per block of input: fn(name, want, params, *blocks) on n threads."""
    return da.blockwise(
        task(fn, n), ind, name, None, want, None, params, None, *pairs, meta=meta, dtype=object
    )


# ------------------------------------------------------------------ public functions

_DOC = """{summary}

The Dask twin of :func:`gilfree.{name}`: the same arguments and results,
taking Dask arrays (NumPy array-likes are one chunk) and returning Dask
collections; nothing is computed until asked.

Parameters
----------
input : dask.array.Array
    {input}
target : dask.array.Array or array_like
    {target} A NumPy array is split into input's chunks; a Dask array must
    have them (else a ValueError naming ``target``).
sample_weight, reduction, return_grad, ...
    As for :func:`gilfree.{name}`. A ``"mean"`` (or ``"batchmean"``) is a
    tree reduction of per-block float64 ``(sum, divisor)`` pairs.
threads_per_task : int or None, default 1
    Compute threads of each task's kernel; None: gilfree's process-wide
    setting (see :mod:`gilfree.dask` on oversubscription).

Returns
-------
value : 0-d dask.array.Array (per-element losses for ``reduction="none"``)
grad : dask.array.Array, with input's shape and chunks (``return_grad=True``)

Examples
--------
>>> import numpy as np, dask.array as da, gilfree, gilfree.dask
{example}
"""

_EX_ELEMENTWISE = """>>> x = da.from_array(np.linspace(0.1, 0.9, 10), chunks=4)
>>> y = da.from_array(np.linspace(0.8, 0.2, 10), chunks=4)
>>> value, grad = gilfree.dask.{name}(x, y, return_grad=True)
>>> ref, ref_grad = gilfree.{name}(x.compute(), y.compute(), return_grad=True)
>>> bool(np.isclose(value.compute(), ref)), grad.chunks, bool(np.allclose(grad.compute(), ref_grad))
(True, ((4, 4, 2),), True)"""

_EX_ROWS = """>>> rng = np.random.default_rng(0)
>>> logits = da.from_array(rng.normal(size=(10, 3)), chunks=(4, 3))
>>> labels = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
>>> value = gilfree.dask.{name}(logits, labels)
>>> bool(np.isclose(value.compute(), gilfree.{name}(logits.compute(), labels)))
True"""


def _make(name):
    mem = getattr(_mem, name)
    sig = inspect.signature(mem)
    rows = name in _ROWS

    def loss(input, target, *, threads_per_task=1, **params):
        bound = sig.bind(input, target, **params)  # TypeError for an unknown argument, as in memory
        bound.apply_defaults()
        kw = dict(bound.arguments)
        for k in ("input", "target"):
            kw.pop(k)
        common = [kw.pop(k) for k in ("sample_weight", "reduction", "return_grad")]
        pos_weight = kw.pop("pos_weight", None)
        return _loss(name, input, target, threads_per_task, *common, pos_weight, kw)

    loss.__name__ = loss.__qualname__ = name
    loss.__module__ = "gilfree.dask"
    extra = inspect.Parameter("threads_per_task", inspect.Parameter.KEYWORD_ONLY, default=1)
    loss.__signature__ = sig.replace(parameters=[*sig.parameters.values(), extra])
    loss.__doc__ = _DOC.format(
        name=name,
        summary=(mem.__doc__ or "").strip().splitlines()[0],
        input="Logits (N, C), chunked along N only." if rows else "Any shape and chunks.",
        target="Class indices (N,) or probabilities (N, C)." if rows else "input's shape.",
        example=(_EX_ROWS if rows else _EX_ELEMENTWISE).format(name=name),
    )
    return loss


LOSSES = {name: _make(name) for name in _ELEMENTWISE + _ROWS}
