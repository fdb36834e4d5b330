"""gilfree.dask's typed loops: reductions through ``dask.array.reduction``
with exact mergeable states, histogram, and the elementwise kernels.

Each block is reduced by the in-memory kernel (float32 blocks as float64,
so partial states keep the kernel's float64 accumulation); the partial
states are merged by the same kernels (sum of sums, min of mins, norm of
norms, logsumexp of logsumexps) or, for var/std, by Chan's formula on
(count, mean, M2) triples.
"""

from __future__ import annotations

import builtins
import functools

import dask.array as da
import numpy as np
from dask.array.reductions import _concatenate2, arg_agg, arg_chunk, arg_combine, arg_reduction
from dask.utils import deepmap

from . import _validate as v
from . import loops as _mem
from ._dask_common import _check_threads, align, as_dask, f64, task, whole_axis
from ._loops_args import _axis

_F64 = np.dtype(np.float64)


def _ax(axis, ndim):
    """dask's reduced-axes tuple as gilfree's axis (None: all of them)."""
    return None if axis is None or len(axis) == ndim else axis[0]


def _acc(b):
    """A block as the float64 the kernels accumulate in (float32 and integers)."""
    return b if b.dtype == _F64 else b.astype(np.float64)


def _count(b, axis):
    a = _ax(axis, b.ndim)
    shape = tuple(1 if a is None or i == a else s for i, s in enumerate(b.shape))
    return np.full(shape, b.size if a is None else b.shape[a], np.float64)


# ------------------------------------------------------------------ block reducers (picklable)


def _same(name, b, axis, keepdims, **kw):
    """The in-memory reduction `name` of a block (or of merged partials)."""
    return getattr(_mem, name)(f64(b), axis=_ax(axis, b.ndim), keepdims=keepdims, **kw)


def _final(name, dtype, b, axis, keepdims, **kw):
    return np.asarray(_same(name, b, axis, keepdims, **kw)).astype(dtype, copy=False)


def _mean_chunk(b, axis, keepdims):
    return {"n": _count(b, axis), "s": _mem.sum(_acc(b), axis=_ax(axis, b.ndim), keepdims=True)}


def _moments_chunk(b, axis, keepdims):
    a, x = _ax(axis, b.ndim), _acc(b)
    n = _count(b, axis)
    return {"n": n, "m": _mem.mean(x, axis=a, keepdims=True), "m2": _mem.var(x, axis=a, keepdims=True) * n}


def _gather(parts, key, axis):
    parts = parts if isinstance(parts, list) else [parts]
    return _concatenate2(deepmap(lambda p: p[key], parts), axes=axis)


def _mean_merge(parts, axis, keepdims):
    return {
        "n": _gather(parts, "n", axis).sum(axis, keepdims=True),
        "s": _gather(parts, "s", axis).sum(axis, keepdims=True),
    }


def _moments_merge(parts, axis, keepdims):
    """Chan's merge of (count, mean, M2) states along the reduced axes."""
    n, m, m2 = (_gather(parts, k, axis) for k in ("n", "m", "m2"))
    total = n.sum(axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (n * m).sum(axis, keepdims=True) / total
        mean = np.where(total > 0, mean, 0.0)
        return {
            "n": total,
            "m": mean,
            "m2": m2.sum(axis, keepdims=True) + (n * (m - mean) ** 2).sum(axis, keepdims=True),
        }


def _mean_agg(dtype, parts, axis, keepdims):
    st = _mean_merge(parts, axis, keepdims)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _shape(st["s"] / st["n"], axis, keepdims).astype(dtype)


def _moments_agg(dtype, ddof, root, parts, axis, keepdims):
    st = _moments_merge(parts, axis, keepdims)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = st["m2"] / (st["n"] - ddof)
        v = np.where(st["n"] > 0, v, np.nan)
        return _shape(np.sqrt(v) if root else v, axis, keepdims).astype(dtype)


def _shape(r, axis, keepdims):
    return r if keepdims else r.squeeze(axis)


def _sqdist_chunk(a, b, axis, keepdims):
    return _mem.sqdist(f64(a), f64(b), axis=_ax(axis, a.ndim), keepdims=True)


# ------------------------------------------------------------------ graph building


def _prepare(x, axis, name, threads_per_task, *args, **kw):
    """(x as Dask, gilfree axis, threads, result dtype): the in-memory kernel
    run on one zero element checks every argument and decides the dtype."""
    n = _check_threads(threads_per_task)
    x = as_dask(x, "x")
    if x.size == 0:
        raise ValueError(f"x: expected a non-empty Dask array, got shape {x.shape}")
    probe = getattr(_mem, name)(np.zeros((1,) * x.ndim, x.dtype), *args, axis=axis, **kw)
    return x, _axis(axis, x.ndim), n, np.asarray(probe).dtype


def _tree(x, ax, keepdims, n, chunk, combine, agg, dtype, concatenate=True):
    """dask.array.reduction with every step a gilfree task on n threads."""
    ndim = x.ndim if keepdims else 0 if ax is None else x.ndim - 1
    return da.reduction(
        x,
        task(chunk, n),
        task(agg, n),
        combine=task(combine, n),
        axis=ax,
        keepdims=bool(keepdims),
        dtype=dtype,
        meta=np.empty((0,) * ndim, dtype),
        concatenate=concatenate,
    )


def _by_itself(name, x, axis, keepdims, threads_per_task, merge=None, **kw):
    """A reduction whose partial results merge by a gilfree reduction (sum of
    sums, min of mins, norm of norms, logsumexp of logsumexps)."""
    x, ax, n, dtype = _prepare(x, axis, name, threads_per_task, keepdims=keepdims, **kw)
    merge = merge or name
    mkw = kw if merge == name else {}
    return _tree(
        x,
        ax,
        keepdims,
        n,
        functools.partial(_same, name, **kw),
        functools.partial(_same, merge, **mkw),
        functools.partial(_final, merge, dtype, **mkw),
        dtype,
    )


def _moments(x, axis, ddof, keepdims, threads_per_task, root):
    name = "std" if root else "var"
    x, ax, n, dtype = _prepare(x, axis, name, threads_per_task, ddof=ddof, keepdims=keepdims)
    return _tree(
        x,
        ax,
        keepdims,
        n,
        _moments_chunk,
        _moments_merge,
        functools.partial(_moments_agg, dtype, float(ddof), root),
        dtype,
        concatenate=False,
    )


_SEE = """The Dask twin of :func:`gilfree.{name}`: the same arguments, a lazy
Dask array as the result; ``threads_per_task`` as in :mod:`gilfree.dask`."""


def _doc(name, merge, example):
    return f"""{_SEE.format(name=name)}

    Blocks are reduced by the kernel (float32 as float64) and {merge}.

    Examples
    --------
    >>> import numpy as np, dask.array as da, gilfree, gilfree.dask
    >>> x = da.from_array(np.arange(12.0).reshape(3, 4), chunks=(2, 3))
    >>> {example}
    """


def sum(x, axis=None, keepdims=False, *, threads_per_task=1):
    return _by_itself("sum", x, axis, keepdims, threads_per_task)


def mean(x, axis=None, keepdims=False, *, threads_per_task=1):
    x, ax, n, dtype = _prepare(x, axis, "mean", threads_per_task, keepdims=keepdims)
    return _tree(
        x,
        ax,
        keepdims,
        n,
        _mean_chunk,
        _mean_merge,
        functools.partial(_mean_agg, dtype),
        dtype,
        concatenate=False,
    )


def var(x, axis=None, ddof=0, keepdims=False, *, threads_per_task=1):
    return _moments(x, axis, ddof, keepdims, threads_per_task, root=False)


def std(x, axis=None, ddof=0, keepdims=False, *, threads_per_task=1):
    return _moments(x, axis, ddof, keepdims, threads_per_task, root=True)


def min(x, axis=None, keepdims=False, *, threads_per_task=1):
    return _by_itself("min", x, axis, keepdims, threads_per_task)


def max(x, axis=None, keepdims=False, *, threads_per_task=1):
    return _by_itself("max", x, axis, keepdims, threads_per_task)


def logsumexp(x, axis=None, keepdims=False, *, threads_per_task=1):
    return _by_itself("logsumexp", x, axis, keepdims, threads_per_task)


def norm(x, ord=None, axis=None, keepdims=False, *, threads_per_task=1):
    x_ = as_dask(x, "x")
    _prepare(x_, axis, "norm", threads_per_task, ord=ord)  # checks ord before it picks the merge
    if axis is None and x_.ndim == 2 and ord is not None and not isinstance(ord, str):
        # a matrix norm (the in-memory call accepted ord 1, -1, inf or -inf): the largest
        # or smallest absolute column (1) or row (inf) sum
        sums = norm(x_, 1, axis=0 if abs(ord) == 1 else 1, threads_per_task=threads_per_task)
        res = (max if ord > 0 else min)(sums, threads_per_task=threads_per_task)
        return res.reshape(1, 1) if keepdims else res
    # the p-norm of the blocks' p-norms is the p-norm (p = inf, -inf too); ord 0 counts: their sum
    merge = "sum" if ord == 0 else "norm"
    return _by_itself("norm", x_, axis, keepdims, threads_per_task, merge=merge, ord=ord)


def _arg(name, x, axis, keepdims, threads_per_task):
    x, ax, n, _ = _prepare(x, axis, name, threads_per_task, keepdims=keepdims)
    pick = task(getattr(_mem, name), n)
    value = task(getattr(_mem, name[3:]), n)
    return arg_reduction(
        x,
        functools.partial(arg_chunk, value, pick),
        functools.partial(arg_combine, pick),
        functools.partial(arg_agg, pick),
        axis=ax,
        keepdims=bool(keepdims),
    )


def argmin(x, axis=None, keepdims=False, *, threads_per_task=1):
    return _arg("argmin", x, axis, keepdims, threads_per_task)


def argmax(x, axis=None, keepdims=False, *, threads_per_task=1):
    return _arg("argmax", x, axis, keepdims, threads_per_task)


def sqdist(a, b, axis=None, keepdims=False, *, threads_per_task=1):
    x = as_dask(a, "a")
    y = align(x, b, "b", "a")
    n = _check_threads(threads_per_task)
    ax = _axis(axis, x.ndim)
    one = (1,) * x.ndim
    dtype = np.asarray(_mem.sqdist(np.zeros(one, x.dtype), np.zeros(one, y.dtype), axis=ax)).dtype
    ndim = x.ndim if keepdims else 0 if ax is None else x.ndim - 1
    return da.reduction(
        x,
        task(_sqdist_chunk, n),
        task(functools.partial(_final, "sum", dtype), n),
        combine=task(functools.partial(_same, "sum"), n),
        axis=ax,
        keepdims=bool(keepdims),
        dtype=dtype,
        meta=np.empty((0,) * ndim, dtype),
        weights=y,
    )


_REDUCTIONS = {
    sum: (
        "summed by the kernel",
        "gilfree.dask.sum(x, axis=0).compute().tolist()\n    [12.0, 15.0, 18.0, 21.0]",
    ),
    mean: ("merged as float64 (count, sum)", "float(gilfree.dask.mean(x).compute())\n    5.5"),
    var: (
        "merged as (count, mean, M2) with Chan's formula",
        "bool(np.isclose(gilfree.dask.var(x, ddof=1).compute(), np.var(np.arange(12.0), ddof=1)))\n    True",
    ),
    std: ("merged as for :func:`var`", "gilfree.dask.std(x, axis=1, keepdims=True).shape\n    (3, 1)"),
    min: ("merged by the kernel", "float(gilfree.dask.min(x).compute())\n    0.0"),
    max: ("merged by the kernel", "gilfree.dask.max(x, axis=1).compute().tolist()\n    [3.0, 7.0, 11.0]"),
    logsumexp: (
        "merged by the kernel (the logsumexp of the blocks' logsumexps)",
        "bool(np.isclose(gilfree.dask.logsumexp(x).compute(), np.log(np.exp(x.compute()).sum())))\n    True",
    ),
    norm: (
        "merged as the p-norm of the blocks' p-norms (ord 0: their sum); with an ord, axis is an int "
        "(an ord with axis=None on a 2-d array is NumPy's matrix norm, a ValueError)",
        "float(gilfree.dask.norm(x, ord=np.inf, axis=0).compute()[0])\n    8.0",
    ),
    argmin: (
        "merged with Dask's arg-reduction (offsets per block)",
        "int(gilfree.dask.argmin(-x).compute())\n    11",
    ),
    argmax: (
        "merged as for :func:`argmin`",
        "gilfree.dask.argmax(x, axis=0).compute().tolist()\n    [2, 2, 2, 2]",
    ),
    sqdist: (
        "summed by the kernel; ``b`` is broadcast to ``a``'s shape and chunks",
        "float(gilfree.dask.sqdist(x, np.zeros(4)).compute())\n    506.0",
    ),
}
for _fn, (_merge, _example) in _REDUCTIONS.items():
    _fn.__doc__ = _doc(_fn.__name__, _merge, _example)


# ------------------------------------------------------------------ histogram


def _range(given, bounds):
    """The given range, else the lazily computed (min, max) (0-d arrays: their scalars)."""
    return given if given is not None else tuple(b[()] for b in bounds)


def _hist_block(bins, given, b, *bounds):
    counts = _mem.histogram(b, bins, range=_range(given, bounds))[0]
    return counts.reshape((1,) * b.ndim + (bins,))


def _edges(bins, dtype, given, *bounds):
    return _mem.histogram(np.empty(0, dtype), bins, range=_range(given, bounds))[1]


def histogram(x, bins=10, range=None, *, threads_per_task=1):
    """The Dask twin of :func:`gilfree.histogram`: ``(counts, edges)`` as
    lazy Dask arrays. Without ``range``, the range is x's min and max,
    computed lazily first (one more pass); each block's counts come from
    the kernel and a tree reduction adds them (int64, exact).

    Examples
    --------
    >>> import numpy as np, dask.array as da, gilfree.dask
    >>> x = da.from_array(np.array([0.0, 1.0, 1.5, 3.0, 2.0]), chunks=2)
    >>> counts, edges = gilfree.dask.histogram(x, bins=3)
    >>> counts.compute().tolist(), edges.compute().tolist()
    ([1, 2, 2], [0.0, 1.0, 2.0, 3.0])
    """
    n = _check_threads(threads_per_task)
    x = as_dask(x, "x")
    _mem.histogram(np.zeros(1, x.dtype), bins, range)  # checks bins, range and x's dtype now
    bounds = []
    if range is None:  # x's extremes in x's dtype, as in memory
        bounds = [
            min(x, threads_per_task=threads_per_task),
            (),
            max(x, threads_per_task=threads_per_task),
            (),
        ]
    ind = tuple(builtins.range(x.ndim))
    parts = da.blockwise(
        task(_hist_block, n),
        ind + (x.ndim,),
        bins,
        None,
        range,
        None,
        x,
        ind,
        *bounds,
        new_axes={x.ndim: bins},
        dtype=np.int64,
        meta=np.empty((0,) * (x.ndim + 1), np.int64),
        adjust_chunks={i: 1 for i in ind},
    )
    counts = parts.sum(axis=ind, dtype=np.int64)
    probe = np.zeros(1, x.dtype)
    edge_dtype = _mem.histogram(probe, bins, range if range is not None else (probe[0], probe[0]))[1].dtype
    edges = da.blockwise(
        _edges,
        (0,),
        bins,
        None,
        x.dtype,
        None,
        range,
        None,
        *bounds,
        new_axes={0: bins + 1},
        dtype=edge_dtype,
        meta=np.empty((0,), edge_dtype),
    )
    return counts, edges


# ------------------------------------------------------------------ elementwise


def axpy(alpha, x, y, *, threads_per_task=1):
    """The Dask twin of :func:`gilfree.axpy`: ``alpha * x + y`` block by
    block (no ``out=``). ``y`` is broadcast to ``x``'s shape and chunks (or
    ``x`` to ``y``'s, when ``y`` has the larger shape); Dask arrays with
    other chunks are a ValueError naming the argument.

    Examples
    --------
    >>> import numpy as np, dask.array as da, gilfree.dask
    >>> x = da.arange(6.0, chunks=4)
    >>> gilfree.dask.axpy(2.0, x, np.ones(6)).compute().tolist()
    [1.0, 3.0, 5.0, 7.0, 9.0, 11.0]
    """
    n = _check_threads(threads_per_task)
    xd, yd = (a if isinstance(a, da.Array) else v.as_array(a, k) for a, k in ((x, "x"), (y, "y")))
    if xd.ndim >= yd.ndim and isinstance(xd, da.Array) or not isinstance(yd, da.Array):
        xd = as_dask(xd, "x")
        yd = align(xd, yd, "y", "x")
    else:
        xd = align(yd, xd, "x", "y")
    dtype = _mem.axpy(alpha, np.zeros(1, xd.dtype), np.zeros(1, yd.dtype)).dtype
    return da.map_blocks(
        task(functools.partial(_mem.axpy, alpha), n),
        xd,
        yd,
        dtype=dtype,
        meta=np.empty((0,) * xd.ndim, dtype),
    )


def clip(x, lo, hi, *, threads_per_task=1):
    """The Dask twin of :func:`gilfree.clip` (no ``out=``), block by block,
    with the in-memory result dtype.

    Examples
    --------
    >>> import numpy as np, dask.array as da, gilfree.dask
    >>> x = da.from_array(np.array([-2, 0, 5, 9], dtype=np.int32), chunks=3)
    >>> gilfree.dask.clip(x, 0, 6).compute().tolist()
    [0, 0, 5, 6]
    """
    n = _check_threads(threads_per_task)
    x = as_dask(x, "x")
    dtype = _mem.clip(np.zeros(1, x.dtype), lo, hi).dtype
    fn = functools.partial(_mem.clip, lo=lo, hi=hi)
    return x.map_blocks(task(fn, n), dtype=dtype, meta=np.empty((0,) * x.ndim, dtype))


def _scan(name, x, axis, threads_per_task):
    n = _check_threads(threads_per_task)
    x = as_dask(x, "x")
    out = getattr(_mem, name)(np.zeros((1,) * x.ndim, x.dtype), axis=axis)  # checks axis and dtype
    ax = _axis(axis, x.ndim) if x.ndim else None
    flat = ax is None and name == "cumsum"
    if ax is None:
        for i in builtins.range(x.ndim):
            whole_axis(x, i, "axis", f"{name} with axis=None")
    else:
        whole_axis(x, ax, "axis", name)
    fn = task(functools.partial(getattr(_mem, name), axis=axis), n)
    if flat:
        return (
            da.map_blocks(
                fn,
                x,
                chunks=((x.size,),),
                drop_axis=list(builtins.range(x.ndim)[1:]),
                dtype=out.dtype,
                meta=np.empty((0,), out.dtype),
            )
            if x.ndim
            else da.map_blocks(
                fn, x, chunks=((1,),), new_axis=[0], dtype=out.dtype, meta=np.empty((0,), out.dtype)
            )
        )
    return x.map_blocks(fn, dtype=out.dtype, meta=np.empty((0,) * x.ndim, out.dtype))


def softmax(x, axis=-1, *, threads_per_task=1):
    """The Dask twin of :func:`gilfree.softmax`, block by block: ``axis``
    must lie in one chunk (every axis for ``axis=None``), else a ValueError
    naming ``axis`` that says how to rechunk.

    Examples
    --------
    >>> import numpy as np, dask.array as da, gilfree.dask
    >>> x = da.from_array(np.log(np.array([[1.0, 3.0], [1.0, 1.0], [2.0, 2.0]])), chunks=(2, 2))
    >>> gilfree.dask.softmax(x, axis=1).compute().round(6).tolist()
    [[0.25, 0.75], [0.5, 0.5], [0.5, 0.5]]
    """
    return _scan("softmax", x, axis, threads_per_task)


def cumsum(x, axis=None, *, threads_per_task=1):
    """The Dask twin of :func:`gilfree.cumsum`, block by block: ``axis``
    must lie in one chunk (the whole array for ``axis=None``), else a
    ValueError naming ``axis`` that says how to rechunk.

    Examples
    --------
    >>> import numpy as np, dask.array as da, gilfree.dask
    >>> x = da.from_array(np.array([[1, 2], [3, 4]], dtype=np.int32), chunks=(1, 2))
    >>> gilfree.dask.cumsum(x, axis=1).compute().tolist()
    [[1, 3], [3, 7]]
    """
    return _scan("cumsum", x, axis, threads_per_task)
