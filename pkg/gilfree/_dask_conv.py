"""gilfree.dask's convolutions: ``map_overlap`` with the kernel's halo.

Every function is computed as a "valid" correlation of an input padded the
way the in-memory function pads it (fill value, wrap, mirror or torch's
zeros; ``dask.array.pad``): each block reads ``halo = dilation * (k - 1)``
more rows and columns after it (``map_overlap`` with an asymmetric depth
and no boundary), so block ``i`` gives exactly its own outputs. Chunks are
first merged so that each is at least the halo (the last one at least the
kernel's span) and, for a stride ``s``, a multiple of ``s``.
"""

from __future__ import annotations

import builtins
import functools

import dask.array as da
import numpy as np

from . import conv as _mem
from ._conv_common import _BOUNDARIES
from ._conv_signal import _scalar_fill
from ._conv_torch import _out_sizes, _pair
from ._dask_common import _check_threads, as_dask, task, whole_axis

_PAD_MODES = {0: "constant", 1: "wrap", 2: "symmetric"}  # gilfree.conv's boundary codes


def _kernel(k, name):
    """A small operand sent with every task: a NumPy array, not a Dask one."""
    if isinstance(k, da.Array):
        raise TypeError(
            f"{name}: expected a NumPy array-like (it is sent with every task), got a Dask array; "
            f"pass {name}.compute()"
        )
    return k


def _chunks_for(chunks, halo, step):
    """Chunk sizes along one axis for a valid correlation reading `halo`
    more elements after each block: each chunk but the last a multiple of
    `step` and >= halo, the last >= halo + 1 (the kernel's span). Chunks
    already fit for stride 1 are kept: small ones (a padding's) are merged
    into their neighbours, so few boundaries move (a moved boundary is data
    sent between workers)."""
    total = builtins.sum(chunks)
    unit = -(-builtins.max(halo, 1) // step) * step
    out, cur = [], 0
    for c in chunks:
        cur += c
        if step == 1 and cur >= unit:
            out.append(cur)
            cur = 0
    if step > 1:  # round each chunk up to a multiple of the stride
        out, pos = [], 0
        for c in chunks:
            if pos >= total:
                break
            out.append(builtins.min(builtins.max(-(-c // step) * step, unit), total - pos))
            pos += out[-1]
    elif cur:
        out.append(cur)
    while len(out) > 1 and out[-1] < halo + 1:
        out[-2:] = [out[-2] + out[-1]]
    return tuple(out)


def _out_chunks(chunks, halo, step):
    """The output sizes of those chunks (the last one has no halo after it)."""
    return tuple(c // step for c in chunks[:-1]) + ((chunks[-1] - halo - 1) // step + 1,)


def _valid(x, axes, fn, dtype, n, fixed=None):
    """fn(block) per block of x, reading axes[ax] = (halo, step) after each
    block along ax; `fixed` gives the output chunks of other changed axes."""
    x = x.rechunk({ax: _chunks_for(x.chunks[ax], h, s) for ax, (h, s) in axes.items()})
    chunks = [x.chunks[i] for i in builtins.range(x.ndim)]
    for ax, (h, s) in axes.items():
        chunks[ax] = _out_chunks(x.chunks[ax], h, s)
    for ax, c in (fixed or {}).items():
        chunks[ax] = c
    meta = np.empty((0,) * x.ndim, dtype)
    if all(len(x.chunks[ax]) == 1 or h == 0 for ax, (h, _) in axes.items()):
        return x.map_blocks(task(fn, n), chunks=tuple(chunks), dtype=dtype, meta=meta)
    depth = {i: (0, axes[i][0]) if i in axes else 0 for i in builtins.range(x.ndim)}
    return da.map_overlap(
        task(fn, n),
        x,
        depth=depth,
        boundary="none",
        trim=False,
        allow_rechunk=False,
        chunks=tuple(chunks),
        dtype=dtype,
        meta=meta,
    )


# ------------------------------------------------------------------ scipy.signal's 2-d functions


def _pad(x, widths, mode, **kw):
    """x extended as np.pad(mode) does. A wrap or mirror wider than the axis
    repeats it (scipy does too, and dask.array.pad does not): then the
    padded axis is x taken at np.pad's own indices."""
    fits = all(b <= n and a <= n for (b, a), n in zip(widths, x.shape, strict=True))
    if mode == "constant" or fits:
        return da.pad(x, widths, mode=mode, **kw)
    for ax, ((b, a), n) in enumerate(zip(widths, x.shape, strict=True)):
        x = da.take(x, np.pad(np.arange(n), (b, a), mode=mode), axis=ax)
    return x


def _corr2d(in1, in2, mode, boundary, fillvalue, method, flip, threads_per_task):
    n = _check_threads(threads_per_task)
    x = as_dask(in1, "in1")
    k = _kernel(in2, "in2")
    if x.ndim != 2:
        raise ValueError(f"in1: expected a 2-d array, got {x.ndim}-d of shape {x.shape}")
    fn = _mem.convolve2d if flip else _mem.correlate2d
    k = np.asarray(k)
    probe = fn(
        np.zeros(k.shape if k.ndim == 2 else (1, 1), x.dtype), k, mode, boundary, fillvalue, method=method
    )
    dt = probe.dtype  # every argument checked by the in-memory function, which decides the dtype
    kh, kw = k.shape
    if mode == "valid" and (x.shape[0] < kh or x.shape[1] < kw):
        raise ValueError(
            f"in2: for mode 'valid' on a Dask in1 the kernel must fit in in1, "
            f"got shapes {x.shape} and {k.shape}"
        )
    if mode == "full":
        before = after = (kh - 1, kw - 1)
    elif mode == "valid":
        before = after = (0, 0)
    else:  # "same": scipy's centring, as in gilfree.conv
        before = (kh // 2, kw // 2) if flip else ((kh - 1) // 2, (kw - 1) // 2)
        after = (kh - 1 - before[0], kw - 1 - before[1])
    pad_mode = _PAD_MODES[_BOUNDARIES[boundary]]
    kw_pad = {"constant_values": _scalar_fill(fillvalue, dt)} if pad_mode == "constant" else {}
    x = x.astype(dt) if x.dtype != dt else x
    if any(before) or any(after):
        x = _pad(x, list(zip(before, after, strict=True)), pad_mode, **kw_pad)
    kern = np.ascontiguousarray((k[::-1, ::-1] if flip else k).astype(dt))
    block = functools.partial(_mem.correlate2d, in2=kern, mode="valid", method=method)
    return _valid(x, {0: (kh - 1, 1), 1: (kw - 1, 1)}, block, dt, n)


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0, *, method="auto", threads_per_task=1):
    """The Dask twin of :func:`gilfree.convolve2d` (``scipy.signal.convolve2d``).

    ``in1`` is a 2-d Dask array of any chunks (chunks smaller than the
    kernel's halo are merged first); ``in2`` a NumPy kernel sent with every
    task. All modes and boundaries of the in-memory function; the result
    equals it. ``"valid"`` needs the kernel to fit in ``in1``.

    Examples
    --------
    >>> import numpy as np, dask.array as da, gilfree, gilfree.dask
    >>> img = da.from_array(np.arange(36.0).reshape(6, 6), chunks=(2, 4))
    >>> k = np.arange(9.0).reshape(3, 3)
    >>> out = gilfree.dask.convolve2d(img, k, mode="same", boundary="symm")
    >>> bool(np.allclose(out.compute(), gilfree.convolve2d(img.compute(), k, "same", "symm")))
    True
    """
    return _corr2d(in1, in2, mode, boundary, fillvalue, method, True, threads_per_task)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0, *, method="auto", threads_per_task=1):
    """The Dask twin of :func:`gilfree.correlate2d` (``scipy.signal.correlate2d``);
    arguments as for :func:`convolve2d`.

    Examples
    --------
    >>> import numpy as np, dask.array as da, gilfree.dask
    >>> img = da.from_array(np.arange(9.0).reshape(3, 3), chunks=2)
    >>> gilfree.dask.correlate2d(img, [[1, 0], [0, -1]], mode="valid").compute().tolist()
    [[-4.0, -4.0], [-4.0, -4.0]]
    """
    return _corr2d(in1, in2, mode, boundary, fillvalue, method, False, threads_per_task)


# ------------------------------------------------------------------ torch's conv1d / conv2d


def _torch_pads(nd, padding, ks, dil):
    """(before, after) zeros per spatial axis, as torch pads."""
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * nd
        return [((d * (k - 1)) // 2, d * (k - 1) - (d * (k - 1)) // 2) for k, d in zip(ks, dil, strict=True)]
    return [(p, p) for p in _pair(padding, "padding", nd, 0)]


def _torch(nd, input, weight, bias, stride, padding, dilation, groups, method, threads_per_task):
    n = _check_threads(threads_per_task)
    x = as_dask(input, "input")
    w = np.asarray(_kernel(weight, "weight"))
    b = None if bias is None else np.asarray(_kernel(bias, "bias"))
    fn = _mem.conv1d if nd == 1 else _mem.conv2d
    if x.ndim not in (nd + 1, nd + 2) or w.ndim != nd + 2:
        fn(np.zeros((1,) * x.ndim, x.dtype), w, b)  # raises the in-memory error
    unbatched = x.ndim == nd + 1
    x = x[None] if unbatched else x
    st, dil = _pair(stride, "stride", nd, 1), _pair(dilation, "dilation", nd, 1)
    span = [d * (k - 1) + 1 for k, d in zip(w.shape[2:], dil, strict=True)]
    kw = {"stride": stride, "dilation": dilation, "groups": groups, "method": method}
    probe = fn(np.zeros((1, x.shape[1], *span), x.dtype), w, b, padding=padding, **kw)  # checks the rest
    pads = _torch_pads(nd, padding, w.shape[2:], dil)
    pad_given = padding if isinstance(padding, str) else tuple(p for p, _ in pads)
    if not isinstance(padding, str) or padding == "valid":
        _out_sizes(x.shape[2:], tuple(p for p, _ in pads), dil, w.shape[2:], st, pad_given)
    whole_axis(x, 1, "input", f"conv{nd}d (the channels)")
    x = x.astype(probe.dtype) if x.dtype != probe.dtype else x
    if any(p for pair in pads for p in pair):
        x = da.pad(x, [(0, 0), (0, 0), *pads], mode="constant")
    block = functools.partial(fn, weight=w, bias=b, padding=0, **kw)
    axes = {2 + i: (s - 1, st[i]) for i, s in enumerate(span)}
    out = _valid(x, axes, block, probe.dtype, n, fixed={1: (w.shape[0],)})
    return out[0] if unbatched else out


def conv1d(
    input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *, method="auto", threads_per_task=1
):
    """The Dask twin of :func:`gilfree.conv1d` (``torch.nn.functional.conv1d``).

    ``input`` (N, C_in, L) or (C_in, L) is a Dask array chunked along the
    batch and the length (the channels in one chunk); ``weight`` and
    ``bias`` are NumPy arrays sent with every task. Every stride, padding
    and dilation of the in-memory function; the result equals it.

    Examples
    --------
    >>> import numpy as np, dask.array as da, gilfree, gilfree.dask
    >>> x = da.from_array(np.arange(20.0).reshape(2, 1, 10), chunks=(1, 1, 3))
    >>> w = np.array([[[1.0, 0.0, -1.0]]])
    >>> out = gilfree.dask.conv1d(x, w, padding=1, stride=2)
    >>> out.shape, bool(np.allclose(out.compute(), gilfree.conv1d(x.compute(), w, padding=1, stride=2)))
    ((2, 1, 5), True)
    """
    return _torch(1, input, weight, bias, stride, padding, dilation, groups, method, threads_per_task)


def conv2d(
    input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *, method="auto", threads_per_task=1
):
    """The Dask twin of :func:`gilfree.conv2d` (``torch.nn.functional.conv2d``);
    chunked along the batch and the two spatial axes, as for :func:`conv1d`.

    Examples
    --------
    >>> import numpy as np, dask.array as da, gilfree, gilfree.dask
    >>> x = da.ones((4, 2, 8, 8), chunks=(2, 2, 3, 8), dtype=np.float32)
    >>> w = np.ones((3, 2, 3, 3), dtype=np.float32)
    >>> y = gilfree.dask.conv2d(x, w, padding="same")
    >>> y.shape, y.dtype, float(y[0, 0, 0, 0].compute()), float(y[0, 0, 4, 4].compute())
    ((4, 3, 8, 8), dtype('float32'), 8.0, 18.0)
    """
    return _torch(2, input, weight, bias, stride, padding, dilation, groups, method, threads_per_task)
