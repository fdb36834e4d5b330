"""torch-style convolution (see gilfree.conv): conv1d and conv2d."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from . import _validate as v
from ._conv_common import (
    _TORCH_METHODS,
    _floats,
    _run,
    _Size1,
    _Size2,
)
from ._cyx._conv import Family, Method, Mode
from ._registry import kernel
from ._validate import FloatArray


def _pair(x: object, name: str, nd: int, low: int) -> tuple[int, ...]:
    """An int or a tuple of nd ints, each in [low, int64 max], as a tuple."""
    if isinstance(x, (tuple, list)):
        if len(x) != nd:
            raise ValueError(f"{name}: expected an int or a tuple of {nd} ints, got {x!r}")
        return tuple(v.integer(e, name, low=low) for e in x)
    return (v.integer(x, name, low=low),) * nd


def _out_sizes(
    sizes: tuple[int, ...],
    pad: tuple[int, ...],
    dil: tuple[int, ...],
    ks: tuple[int, ...],
    st: tuple[int, ...],
    padding: object,
) -> tuple[int, ...]:
    """torch's output sizes; every coordinate the kernels compute must fit in int64."""
    for n, p in zip(sizes, pad, strict=True):
        if n + 2 * p > v.INT64_MAX:
            raise ValueError(
                f"padding: the padded input ({n} + 2 * {p}) must have at most 2**63 - 1 elements "
                f"per axis, got padding={padding!r}"
            )
    out = tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1 for n, p, d, k, s in zip(sizes, pad, dil, ks, st, strict=True)
    )
    if any(o < 1 for o in out):
        raise ValueError(
            f"input: spatial size {sizes} is too small for kernel {ks} with padding "
            f"{pad} and dilation {dil} (output size {out})"
        )
    return out


def _out_size_error(shape: tuple[int, ...], itemsize: int, pad: tuple[int, ...], padding: object) -> str:
    """The error for an output too large to allocate: padding's when padding made it so."""
    name = "padding" if any(pad) else "input"
    nbytes = int(np.prod(shape, dtype=object)) * itemsize
    return f"{name}: the output of shape {shape} would need {nbytes / 2**30:.4g} GiB (padding={padding!r})"


def _torch_operands(
    nd: int, input: npt.ArrayLike, weight: npt.ArrayLike, bias: npt.ArrayLike | None, groups: object
) -> tuple[FloatArray, FloatArray, FloatArray | None, bool, int]:
    """input as a batch, weight, bias (or None), whether input was unbatched, groups: validated."""
    fname = f"conv{nd}d"
    named = [(input, "input"), (weight, "weight")] + ([] if bias is None else [(bias, "bias")])
    arrs = _floats(*named)
    x, w = arrs[0], arrs[1]
    b = arrs[2] if bias is not None else None
    if x.ndim not in (nd + 1, nd + 2):
        raise ValueError(
            f"input: {fname} expects a {nd + 1}-d (unbatched) or {nd + 2}-d (batched) array, "
            f"got {x.ndim}-d of shape {x.shape}"
        )
    if w.ndim != nd + 2:
        raise ValueError(
            f"weight: {fname} expects a {nd + 2}-d array (out_channels, "
            f"in_channels/groups, *kernel), got {w.ndim}-d of shape {w.shape}"
        )
    if 0 in w.shape:
        raise ValueError(f"weight: every dimension must be >= 1, got shape {w.shape}")
    unbatched = x.ndim == nd + 1
    if unbatched:
        x = x[None]
    if 0 in x.shape[1:]:
        raise ValueError(f"input: channel and spatial dimensions must be >= 1, got shape {x.shape}")
    groups = v.integer(groups, "groups")
    if groups < 1:
        raise ValueError(f"groups: expected an int >= 1, got {groups}")
    cin, cout = x.shape[1], w.shape[0]
    if cin % groups:
        raise ValueError(f"groups: input channels ({cin}) must be divisible by groups ({groups})")
    if cout % groups:
        raise ValueError(f"groups: output channels ({cout}) must be divisible by groups ({groups})")
    if w.shape[1] * groups != cin:
        raise ValueError(
            f"weight: expected {cin // groups} input channels per group "
            f"(input has {cin} channels, groups={groups}), got weight of shape {w.shape}"
        )
    if b is not None and b.shape != (cout,):
        raise ValueError(f"bias: expected shape ({cout},), got {b.shape}")
    return x, w, b, unbatched, groups


def _torch_conv(
    nd: int,
    input: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None,
    stride: object,
    padding: object,
    dilation: object,
    groups: object,
    method: str,
    out: object = None,
) -> FloatArray:
    x, w, b, unbatched, groups = _torch_operands(nd, input, weight, bias, groups)
    cout = w.shape[0]
    st = _pair(stride, "stride", nd, 1)
    dil = _pair(dilation, "dilation", nd, 1)
    ks = w.shape[2:]
    if isinstance(padding, str):
        pmode = v.choice(padding, "padding", {"same": Mode.same, "valid": Mode.valid})
        if pmode is Mode.same:
            if any(s != 1 for s in st):
                raise ValueError(
                    f"padding: 'same' is not supported for strided convolutions, got stride={stride!r}"
                )
            pad = tuple((d * (k - 1)) // 2 for d, k in zip(dil, ks, strict=True))  # torch: extra on the right
        else:
            pad = (0,) * nd
    else:
        pad = _pair(padding, "padding", nd, 0)
        pmode = None  # explicit padding
    sizes = x.shape[2:]
    out_sizes = tuple(sizes) if pmode is Mode.same else _out_sizes(sizes, pad, dil, ks, st, padding)
    out_shape = (x.shape[0], cout) + out_sizes
    if int(np.prod(out_shape, dtype=object)) * x.itemsize > np.iinfo(np.intp).max:
        raise ValueError(
            _out_size_error(out_shape, x.itemsize, pad, padding) + ", more than any array can hold"
        )
    meth = v.choice(method, "method", _TORCH_METHODS)
    buf = None  # out as the (N, C_out, OH, OW) view the kernel writes
    if out is not None:
        operands = [(x, "input"), (w, "weight"), (b, "bias")]
        out = v.out_array(out, "out", out_shape[1:] if unbatched else out_shape, x.dtype, operands)
        buf = out[None] if unbatched else out
        buf = buf[:, :, None, :] if nd == 1 else buf
    if nd == 1:
        x4, w4 = x[:, :, None, :], w[:, :, None, :]
        (oh, ow), (y0, x0) = (1, out_sizes[0]), (0, -pad[0])
        sy, sx, dy, dx = 1, st[0], 1, dil[0]
    else:
        x4, w4 = x, w
        (oh, ow), (y0, x0) = out_sizes, (-pad[0], -pad[1])
        (sy, sx), (dy, dx) = st, dil
    if x4.shape[0] == 0:
        res = np.empty((0, cout, oh, ow), dtype=x.dtype) if buf is None else buf
    else:
        wino_ok = ks == (3, 3) and (sy, sx, dy, dx) == (1, 1, 1, 1)
        if meth is Method.winograd and not wino_ok:
            raise ValueError(
                f"method: 'winograd' needs a 3x3 kernel with stride 1 and dilation 1, "
                f"got kernel {ks}, stride {st}, dilation {dil}"
            )
        try:
            res = _run(Family.torch, meth, x4, w4, b, oh, ow, y0, x0, sy, sx, dy, dx, out=buf)
        except MemoryError:
            raise MemoryError(
                _out_size_error(out_shape, x.itemsize, pad, padding) + ", more than is free"
            ) from None
    if out is not None:
        return out
    res = res.reshape(res.shape[:2] + out_sizes)
    return res[0] if unbatched else res


@kernel
def conv1d(
    input: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    stride: _Size1 = 1,
    padding: _Size1 | Literal["same", "valid"] = 0,
    dilation: _Size1 = 1,
    groups: int = 1,
    *,
    method: Literal["auto", "direct", "gemm"] = "auto",
    out: FloatArray | None = None,
) -> FloatArray:
    """1-d convolution over channels; ``torch.nn.functional.conv1d``.

    Like all deep-learning "convolutions", a cross-correlation.

    Parameters
    ----------
    input : array_like, shape (N, C_in, L) or (C_in, L)
        The signals, batched or unbatched.
    weight : array_like, shape (C_out, C_in / groups, K)
        The kernels.
    bias : array_like, shape (C_out,), optional
        Added to each output channel.
    stride : int or tuple of int, default 1
        An int >= 1 or a 1-tuple.
    padding : int, tuple of int, "same" or "valid", default 0
        Zero padding on both sides (an int >= 0 or a 1-tuple); ``"same"``
        (stride 1 only) puts the odd extra zero on the right, ``"valid"`` is 0.
    dilation : int or tuple of int, default 1
        An int >= 1 or a 1-tuple.
    groups : int, default 1
        An int >= 1 dividing C_in and C_out.
    method : {"auto", "direct", "gemm"}, default "auto"
        ``"direct"`` accumulates in float64; ``"gemm"`` (packed patches and an
        Eigen matrix product) accumulates in the input's dtype.
    out : numpy.ndarray, optional
        Where to write the result (and the array returned): of the result's
        shape and exactly its dtype, writeable, aligned, any strides with
        distinct elements, sharing no memory with ``input``, ``weight`` or
        ``bias``. It is checked before anything is written; a failed check
        leaves it untouched.

    Returns
    -------
    numpy.ndarray
        Shape (N, C_out, L_out), or (C_out, L_out) for unbatched input;
        float32 when every input is float32, else float64.

    Raises
    ------
    TypeError
        If an array holds complex, bool, object or str data, an option has
        the wrong type, or ``out`` is not an ndarray of the result's dtype.
    ValueError
        If the shapes do not match, a size or option is out of range, the
        output would not fit in memory, or ``out`` fails its checks.
    MemoryError
        If the output does not fit in the memory that is free.

    See Also
    --------
    conv2d, correlate

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> x = np.arange(6.0).reshape(1, 1, 6)
    >>> gilfree.conv1d(x, np.array([[[1.0, -1.0]]]), stride=2).tolist()
    [[[-1.0, -1.0, -1.0]]]
    >>> gilfree.conv1d(x[0], np.ones((2, 1, 3)), bias=[0.0, 10.0], padding="same").shape
    (2, 6)
    """
    return _torch_conv(1, input, weight, bias, stride, padding, dilation, groups, method, out)


@kernel
def conv2d(
    input: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    stride: _Size2 = 1,
    padding: _Size2 | Literal["same", "valid"] = 0,
    dilation: _Size2 = 1,
    groups: int = 1,
    *,
    method: Literal["auto", "direct", "gemm", "winograd"] = "auto",
    out: FloatArray | None = None,
) -> FloatArray:
    """2-d convolution over channels; ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    input : array_like, shape (N, C_in, H, W) or (C_in, H, W)
        The images, batched or unbatched.
    weight : array_like, shape (C_out, C_in / groups, kH, kW)
        The kernels.
    bias : array_like, shape (C_out,), optional
        Added to each output channel.
    stride : int or tuple of int, default 1
        An int >= 1 or a pair.
    padding : int, tuple of int, "same" or "valid", default 0
        Zero padding (an int >= 0 or a pair), or as for :func:`conv1d`.
    dilation : int or tuple of int, default 1
        An int >= 1 or a pair.
    groups : int, default 1
        An int >= 1 dividing C_in and C_out.
    method : {"auto", "direct", "gemm", "winograd"}, default "auto"
        As for :func:`conv1d`; ``"winograd"`` (3x3 kernels, stride 1,
        dilation 1) also accumulates in the input's dtype. ``"auto"`` uses
        Winograd for 3x3 stride-1 kernels when each group has at least 4
        output and 8 input channels, else the GEMM path when each group has
        at least 4 output channels and 8 weights per output, else the direct
        path (depthwise convolutions).
    out : numpy.ndarray, optional
        As for :func:`conv1d`.

    Returns
    -------
    numpy.ndarray
        Shape (N, C_out, H_out, W_out), or (C_out, H_out, W_out) for
        unbatched input; float32 when every input is float32, else float64.

    Raises
    ------
    TypeError
        As for :func:`conv1d`.
    ValueError
        As for :func:`conv1d`, and for ``method="winograd"`` with a kernel
        other than 3x3, a stride or a dilation other than 1.
    MemoryError
        As for :func:`conv1d`.

    See Also
    --------
    conv1d, correlate2d

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> x = np.ones((1, 2, 4, 4), dtype=np.float32)
    >>> w = np.ones((3, 2, 3, 3), dtype=np.float32)
    >>> y = gilfree.conv2d(x, w, padding=1)
    >>> y.shape, y.dtype, float(y[0, 0, 0, 0]), float(y[0, 0, 1, 1])
    ((1, 3, 4, 4), dtype('float32'), 8.0, 18.0)
    """
    return _torch_conv(2, input, weight, bias, stride, padding, dilation, groups, method, out)
