"""Convolution and correlation: NumPy/SciPy-compatible and PyTorch-style.

=================  ===========================================================
``convolve``       ``numpy.convolve`` (modes ``"full"``, ``"same"``, ``"valid"``)
``correlate``      ``numpy.correlate`` (real inputs)
``convolve2d``     ``scipy.signal.convolve2d`` (boundary fill, wrap, symm)
``correlate2d``    ``scipy.signal.correlate2d``
``conv1d``         ``torch.nn.functional.conv1d``
``conv2d``         ``torch.nn.functional.conv2d``
=================  ===========================================================

All take float32 or float64 arrays of any strides (other real numbers are
converted to float64); the result has the common dtype of the inputs
(float32 only when every input is float32). They release the GIL and split
the work over the compute pool; ``gilfree.aio.<name>`` awaits them and
cancelling the await stops the native work.

Four algorithms compute them:

- ``"direct"``: multiply-adds in float64 over row buffers (no padded copy of
  the input); the result is bitwise identical for any number of threads.
- ``"fft"`` (1-D and 2-D NumPy/SciPy functions): overlap-save tiles with
  Eigen's FFT module in float64, scratch bounded by the tile size. Like any
  FFT convolution it spreads a NaN or inf over its whole tile.
- the GEMM path (``conv1d``/``conv2d``): input patches packed per chunk
  into an Eigen matrix product; float32 data accumulates in float32 there,
  as in torch.
- the Winograd F(4x4, 3x3) path (``conv2d`` with 3x3 kernels, stride 1,
  dilation 1, zero padding): 36 Eigen matrix products on transformed 6x6
  tiles, 4x fewer multiplications than the GEMM path; accumulates in the
  input's dtype.

``method="auto"`` (the default) lets the C++ ``choose_method`` pick: for the
NumPy/SciPy functions by a cost model of this machine, never the FFT for
kernels of fewer than 64 taps; for ``conv1d``/``conv2d`` by the rule their
docstrings give.

inf and NaN stay where the references put them on the direct and GEMM
paths: ``convolve``/``correlate`` multiply real samples only, as NumPy does
(an inf weight never meets the implicit zeros, so "full" mode keeps inf at
its ends); ``convolve2d``/``correlate2d`` with ``boundary="fill"`` and
``conv1d``/``conv2d`` multiply their padding like any sample, as SciPy and
torch do (0 * inf is NaN). The FFT and Winograd paths mix the values of a
tile, so one inf or NaN turns into NaN over its tile (a 4x4 output block for
Winograd, which ``"auto"`` picks for 3x3 kernels with many channels): use
``method="direct"`` or ``"gemm"`` for data that holds them.

Scratch memory and time depend on the output and kernel sizes, not on the
stride or dilation: a stride beyond the input gives one output column.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, Literal, SupportsFloat, TypeAlias

import numpy as np
import numpy.typing as npt

from . import _validate as v
from ._context import call_kernel
from ._cyx import _conv as _k
from ._cyx._conv import Boundary, Family, Method, Mode
from ._registry import kernel
from ._validate import FloatArray

__all__ = ["conv1d", "conv2d", "convolve", "convolve2d", "correlate", "correlate2d"]

# Every result is a FloatArray, of the inputs' common dtype.
_Mode: TypeAlias = Literal["full", "same", "valid"]
_Method: TypeAlias = Literal["auto", "direct", "fft"]
_Boundary: TypeAlias = Literal["fill", "wrap", "symm", "pad", "circular", "symmetric"]
_Fill: TypeAlias = SupportsFloat | Sequence[SupportsFloat]  # a real number, or an array-like of one
_Size1: TypeAlias = int | tuple[int] | list[int]
_Size2: TypeAlias = int | tuple[int, int] | list[int]

_MODES = {m.name: m for m in Mode}
_METHODS = {"auto": Method.auto_, "direct": Method.direct, "fft": Method.fft}
_TORCH_METHODS = {
    "auto": Method.auto_,
    "direct": Method.direct,
    "gemm": Method.gemm,
    "winograd": Method.winograd,
}
# scipy's names and their aliases; Boundary.none (numpy's implicit zeros, never
# multiplied: inf * 0) is not an option, numpy's functions use it.
_BOUNDARIES = {
    **{b.name: b for b in Boundary if b is not Boundary.none},
    "pad": Boundary.fill,
    "circular": Boundary.wrap,
    "symmetric": Boundary.symm,
}


# -- helpers ---------------------------------------------------------------


def _floats(*named: tuple[npt.ArrayLike, str]) -> tuple[FloatArray, ...]:
    """The arrays as float32/float64 of one common dtype (float32 only if all are)."""
    return v.common(*(v.as_float(x, name) for x, name in named))


def _run(
    family: Family,
    method: Method,
    x: FloatArray,
    w: FloatArray,
    bias: FloatArray | None,
    oh: int,
    ow: int,
    y0: int,
    x0: int,
    sy: int = 1,
    sx: int = 1,
    dy: int = 1,
    dx: int = 1,
    boundary: Boundary = Boundary.fill,
    fill: float = 0.0,
    reverse_out: bool = False,
) -> FloatArray:
    """The correlation of x by w on the C++ path `method` (Method.auto_: the family's rule)."""
    return call_kernel(
        _k.corr2d, family, method, x, w, bias, oh, ow, y0, x0, sy, sx, dy, dx, boundary, fill, reverse_out
    )


def _vector(a: FloatArray, name: str, allow_0d: bool) -> FloatArray:
    if a.ndim == 0:
        if not allow_0d:  # numpy.correlate: "object of too small depth for desired array"
            raise ValueError(f"{name}: expected a 1-d array, got a 0-d array (a scalar)")
        a = a.reshape(1)
    if a.ndim != 1:
        raise ValueError(f"{name}: expected a 1-d array, got {a.ndim}-d of shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name}: must not be empty")
    return a


def _plane(a: FloatArray) -> FloatArray:
    """A 1-d or 2-d array as a (1, 1, H, W) view."""
    return a.reshape((1, 1, 1, a.shape[0]) if a.ndim == 1 else (1, 1) + a.shape)


def _corr1d(a: npt.ArrayLike, v_: npt.ArrayLike, mode: str, method: str, reverse_kernel: bool) -> FloatArray:
    """numpy's correlate(a, v) (or convolve when reverse_kernel) for 1-d arrays."""
    a, v_ = _floats((a, "a"), (v_, "v"))
    a, v_ = _vector(a, "a", reverse_kernel), _vector(v_, "v", reverse_kernel)  # convolve takes 0-d
    m = v.choice(mode, "mode", _MODES)
    meth = v.choice(method, "method", _METHODS)
    swapped = v_.shape[0] > a.shape[0]
    if swapped:  # numpy computes with the longer one as the signal
        a, v_ = v_, a
    n1, n2 = a.shape[0], v_.shape[0]
    left, right = {
        Mode.full: (n2 - 1, n2 - 1),
        Mode.same: (n2 // 2, n2 - n2 // 2 - 1),
        Mode.valid: (0, 0),
    }[m]
    length = n1 - n2 + 1 + left + right
    kern = v_[::-1] if reverse_kernel else v_
    # convolve is symmetric in its inputs; correlate of the swapped pair is reversed
    reverse_out = swapped and not reverse_kernel
    x4, w4 = _plane(a), _plane(kern)
    out = _run(
        Family.signal,
        meth,
        x4,
        w4,
        None,
        1,
        length,
        0,
        -left,
        boundary=Boundary.none,
        reverse_out=reverse_out,
    )
    return out.reshape(length)


def _scalar_fill(fillvalue: object, dtype: np.dtype[Any]) -> float:
    if isinstance(fillvalue, (list, tuple, np.ndarray)):  # scipy: any array-like of one element
        arr = np.asarray(fillvalue)
        if arr.size != 1:
            raise ValueError(
                f"fillvalue: expected a scalar or an array-like of one element, got shape {arr.shape}"
            )
        fillvalue = arr.reshape(()).item()
    if isinstance(fillvalue, (bool, np.bool_)) or not isinstance(fillvalue, numbers.Real):
        raise TypeError(f"fillvalue: expected a real number, got {type(fillvalue).__name__}")
    return float(dtype.type(fillvalue))  # scipy casts it to the input dtype


def _corr2d(
    in1: npt.ArrayLike,
    in2: npt.ArrayLike,
    mode: str,
    boundary: str,
    fillvalue: object,
    method: str,
    flip: bool,
) -> FloatArray:
    in1, in2 = _floats((in1, "in1"), (in2, "in2"))
    for arr, name in ((in1, "in1"), (in2, "in2")):
        if arr.ndim != 2:
            raise ValueError(f"{name}: expected a 2-d array, got {arr.ndim}-d of shape {arr.shape}")
        if arr.size == 0:
            raise ValueError(f"{name}: must not be empty, got shape {arr.shape}")
    m = v.choice(mode, "mode", _MODES)
    bnd = v.choice(boundary, "boundary", _BOUNDARIES)
    meth = v.choice(method, "method", _METHODS)
    fill = _scalar_fill(fillvalue, in1.dtype)
    swapped = False
    if m is Mode.valid:  # scipy: "valid" swaps when in2 is the larger, raises when neither contains the other
        ok1 = all(s1 >= s2 for s1, s2 in zip(in1.shape, in2.shape, strict=True))
        ok2 = all(s2 >= s1 for s1, s2 in zip(in1.shape, in2.shape, strict=True))
        if not (ok1 or ok2):
            raise ValueError(
                f"in2: for mode 'valid' one input must be at least as large as the other in every "
                f"dimension, got shapes {in1.shape} and {in2.shape}"
            )
        if not ok1:
            in1, in2 = in2, in1
            swapped = True
    (h, w), (kh, kw) = in1.shape, in2.shape
    if m is Mode.full:
        oh, ow = h + kh - 1, w + kw - 1
        y0, x0 = -(kh - 1), -(kw - 1)
    elif m is Mode.same:
        oh, ow = h, w
        # scipy's _firfilter.cc centring: convolve reads from (k-1)//2 after the
        # output index with the flipped kernel, correlate (k-1)//2 before
        y0, x0 = (-(kh // 2), -(kw // 2)) if flip else (-((kh - 1) // 2), -((kw - 1) // 2))
    else:
        oh, ow = h - kh + 1, w - kw + 1
        y0 = x0 = 0
    kern = in2[::-1, ::-1] if flip else in2
    x4, w4 = _plane(in1), _plane(kern)
    out = _run(
        Family.signal,
        meth,
        x4,
        w4,
        None,
        oh,
        ow,
        y0,
        x0,
        boundary=bnd,
        fill=fill,
        reverse_out=swapped and not flip,
    )
    return out.reshape(oh, ow)


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
    if nd == 1:
        x4, w4 = x[:, :, None, :], w[:, :, None, :]
        (oh, ow), (y0, x0) = (1, out_sizes[0]), (0, -pad[0])
        sy, sx, dy, dx = 1, st[0], 1, dil[0]
    else:
        x4, w4 = x, w
        (oh, ow), (y0, x0) = out_sizes, (-pad[0], -pad[1])
        (sy, sx), (dy, dx) = st, dil
    if x4.shape[0] == 0:
        out = np.empty((0, cout, oh, ow), dtype=x.dtype)
    else:
        wino_ok = ks == (3, 3) and (sy, sx, dy, dx) == (1, 1, 1, 1)
        if meth is Method.winograd and not wino_ok:
            raise ValueError(
                f"method: 'winograd' needs a 3x3 kernel with stride 1 and dilation 1, "
                f"got kernel {ks}, stride {st}, dilation {dil}"
            )
        try:
            out = _run(Family.torch, meth, x4, w4, b, oh, ow, y0, x0, sy, sx, dy, dx)
        except MemoryError:
            raise MemoryError(
                _out_size_error(out_shape, x.itemsize, pad, padding) + ", more than is free"
            ) from None
    out = out.reshape(out.shape[:2] + out_sizes)
    return out[0] if unbatched else out


# -- public API ----------------------------------------------------------------


@kernel
def convolve(
    a: npt.ArrayLike, v: npt.ArrayLike, mode: _Mode = "full", *, method: _Method = "auto"
) -> FloatArray:
    """Discrete linear convolution of two 1-d sequences; ``numpy.convolve``.

    Parameters
    ----------
    a, v : array_like, 1-d
        The sequences (0-d is taken as length 1). The longer one is the
        signal, as in NumPy.
    mode : {"full", "same", "valid"}, default "full"
        ``"full"``: length ``N + M - 1``; ``"same"``: ``max(N, M)``, centred
        as NumPy does; ``"valid"``: ``max(N, M) - min(N, M) + 1``.
    method : {"auto", "direct", "fft"}, default "auto"
        ``"auto"`` picks by cost and never the FFT for a kernel under 64 taps.

    Returns
    -------
    numpy.ndarray
        1-d, float32 when both inputs are float32, else float64.

    Raises
    ------
    TypeError
        If an input holds complex, bool, object or str data, or an option is
        not a str.
    ValueError
        If an input is empty or has the wrong number of dimensions, or an
        option is not one of its choices.

    See Also
    --------
    correlate, convolve2d, conv1d

    Examples
    --------
    >>> import gilfree
    >>> gilfree.convolve([1, 2, 3], [0, 1, 0.5]).tolist()
    [0.0, 1.0, 2.5, 4.0, 1.5]
    >>> gilfree.convolve([1, 2, 3], [0, 1, 0.5], "same").tolist()
    [1.0, 2.5, 4.0]
    """
    return _corr1d(a, v, mode, method, reverse_kernel=True)


@kernel
def correlate(
    a: npt.ArrayLike, v: npt.ArrayLike, mode: _Mode = "valid", *, method: _Method = "auto"
) -> FloatArray:
    """Cross-correlation of two 1-d sequences; ``numpy.correlate`` for real inputs.

    ``c[k] = sum_n a[n+k] v[n]``. Note NumPy's default mode, ``"valid"``.
    When ``v`` is longer than ``a`` the result is NumPy's: computed with the
    roles swapped and reversed.

    Parameters
    ----------
    a, v : array_like, 1-d
        The sequences, each at least one element long.
    mode : {"valid", "same", "full"}, default "valid"
        The output lengths of :func:`convolve`.
    method : {"auto", "direct", "fft"}, default "auto"
        As for :func:`convolve`.

    Returns
    -------
    numpy.ndarray
        1-d, float32 when both inputs are float32, else float64.

    Raises
    ------
    TypeError
        If an input holds complex, bool, object or str data, or an option is
        not a str.
    ValueError
        If an input is empty or has the wrong number of dimensions, or an
        option is not one of its choices.

    See Also
    --------
    convolve, correlate2d, conv1d

    Examples
    --------
    >>> import gilfree
    >>> gilfree.correlate([1, 2, 3], [0, 1, 0.5]).tolist()
    [3.5]
    >>> gilfree.correlate([1, 2, 3], [0, 1, 0.5], "full").tolist()
    [0.5, 2.0, 3.5, 3.0, 0.0]
    """
    return _corr1d(a, v, mode, method, reverse_kernel=False)


@kernel
def convolve2d(
    in1: npt.ArrayLike,
    in2: npt.ArrayLike,
    mode: _Mode = "full",
    boundary: _Boundary = "fill",
    fillvalue: _Fill = 0,
    *,
    method: _Method = "auto",
) -> FloatArray:
    """2-d convolution; ``scipy.signal.convolve2d``.

    Parameters
    ----------
    in1, in2 : array_like, 2-d
        The image and the kernel, not empty.
    mode : {"full", "same", "valid"}, default "full"
        ``"same"`` is centred as SciPy's 2-d functions do; ``"valid"`` swaps
        the inputs when ``in2`` is the larger, and needs one input at least
        as large as the other in every dimension.
    boundary : {"fill", "wrap", "symm"}, default "fill"
        How ``in1`` is extended: ``fillvalue``, periodically, or mirrored
        (``"pad"``, ``"circular"`` and ``"symmetric"`` are accepted aliases).
    fillvalue : float, default 0
        Value outside ``in1`` for ``boundary="fill"`` (a real number, or an
        array-like of one), cast to ``in1``'s dtype.
    method : {"auto", "direct", "fft"}, default "auto"
        As for :func:`convolve`.

    Returns
    -------
    numpy.ndarray
        2-d, float32 when both inputs are float32, else float64.

    Raises
    ------
    TypeError
        If an input holds complex, bool, object or str data, an option is
        not a str or ``fillvalue`` is not a real number.
    ValueError
        If an input is empty or not 2-d, an option is not one of its choices,
        ``fillvalue`` has more than one element, or in ``"valid"`` mode
        neither input is at least as large as the other in every dimension.

    See Also
    --------
    correlate2d, convolve, conv2d

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> img = np.arange(9.0).reshape(3, 3)
    >>> gilfree.convolve2d(img, np.ones((2, 2)), mode="valid").tolist()
    [[8.0, 12.0], [20.0, 24.0]]
    >>> gilfree.convolve2d(img, [[0, 0], [0, 1]], mode="same", boundary="wrap").tolist()
    [[8.0, 6.0, 7.0], [2.0, 0.0, 1.0], [5.0, 3.0, 4.0]]
    """
    return _corr2d(in1, in2, mode, boundary, fillvalue, method, flip=True)


@kernel
def correlate2d(
    in1: npt.ArrayLike,
    in2: npt.ArrayLike,
    mode: _Mode = "full",
    boundary: _Boundary = "fill",
    fillvalue: _Fill = 0,
    *,
    method: _Method = "auto",
) -> FloatArray:
    """2-d cross-correlation; ``scipy.signal.correlate2d`` (real inputs).

    In ``"valid"`` mode with ``in2`` the larger, the result is SciPy's
    (computed with the roles swapped, and reversed).

    Parameters
    ----------
    in1, in2 : array_like, 2-d
        The image and the kernel, not empty.
    mode : {"full", "same", "valid"}, default "full"
        As for :func:`convolve2d`.
    boundary : {"fill", "wrap", "symm"}, default "fill"
        As for :func:`convolve2d`.
    fillvalue : float, default 0
        As for :func:`convolve2d`.
    method : {"auto", "direct", "fft"}, default "auto"
        As for :func:`convolve`.

    Returns
    -------
    numpy.ndarray
        2-d, float32 when both inputs are float32, else float64.

    Raises
    ------
    TypeError
        As for :func:`convolve2d`.
    ValueError
        As for :func:`convolve2d`.

    See Also
    --------
    convolve2d, correlate, conv2d

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> img = np.arange(9.0).reshape(3, 3)
    >>> gilfree.correlate2d(img, [[1, 0], [0, -1]], mode="valid").tolist()
    [[-4.0, -4.0], [-4.0, -4.0]]
    """
    return _corr2d(in1, in2, mode, boundary, fillvalue, method, flip=False)


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

    Returns
    -------
    numpy.ndarray
        Shape (N, C_out, L_out), or (C_out, L_out) for unbatched input;
        float32 when every input is float32, else float64.

    Raises
    ------
    TypeError
        If an array holds complex, bool, object or str data, or an option has
        the wrong type.
    ValueError
        If the shapes do not match, a size or option is out of range, or
        the output would not fit in memory.
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
    return _torch_conv(1, input, weight, bias, stride, padding, dilation, groups, method)


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
    return _torch_conv(2, input, weight, bias, stride, padding, dilation, groups, method)
