"""NumPy/SciPy-style convolution (see gilfree.conv): convolve, correlate,
convolve2d, correlate2d."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _validate as v
from ._conv_common import (
    _BOUNDARIES,
    _METHODS,
    _MODES,
    _Boundary,
    _Fill,
    _floats,
    _Method,
    _Mode,
    _plane,
    _run,
    _vector,
)
from ._cyx._conv import Boundary, Family, Mode
from ._registry import kernel
from ._validate import FloatArray


def _checked_out(out: object, shape: tuple[int, ...], like: FloatArray, operands: list) -> FloatArray | None:
    """out= checked by conv1d/conv2d's rule (_validate.out_array: the result's dtype and
    shape, writeable, distinct elements, no memory shared with an input), before anything
    is written; as the (1, 1, H, W) view the kernel writes."""
    if out is None:
        return None
    return _plane(v.out_array(out, "out", shape, like.dtype, operands))


def _corr1d(
    a: npt.ArrayLike, v_: npt.ArrayLike, mode: str, method: str, reverse_kernel: bool, out: object = None
) -> FloatArray:
    """numpy's correlate(a, v) (or convolve when reverse_kernel) for 1-d arrays."""
    a, v_ = _floats((a, "a"), (v_, "v"))
    a, v_ = _vector(a, "a", reverse_kernel), _vector(v_, "v", reverse_kernel)  # convolve takes 0-d
    m = v.choice(mode, "mode", _MODES)
    meth = v.choice(method, "method", _METHODS)
    operands = [(a, "a"), (v_, "v")]
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
    buf = _checked_out(out, (length,), a, operands)
    kern = v_[::-1] if reverse_kernel else v_
    # convolve is symmetric in its inputs; correlate of the swapped pair is reversed
    reverse_out = swapped and not reverse_kernel
    x4, w4 = _plane(a), _plane(kern)
    res = _run(
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
        out=buf,
    )
    return res.reshape(length) if buf is None else out  # type: ignore[return-value]


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
    out: object = None,
) -> FloatArray:
    in1, in2 = _floats((in1, "in1"), (in2, "in2"))
    operands = [(in1, "in1"), (in2, "in2")]
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
    buf = _checked_out(out, (oh, ow), in1, operands)
    kern = in2[::-1, ::-1] if flip else in2
    x4, w4 = _plane(in1), _plane(kern)
    res = _run(
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
        out=buf,
    )
    return res.reshape(oh, ow) if buf is None else out  # type: ignore[return-value]


@kernel
def convolve(
    a: npt.ArrayLike,
    v: npt.ArrayLike,
    mode: _Mode = "full",
    *,
    method: _Method = "auto",
    out: FloatArray | None = None,
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
    out : numpy.ndarray, optional
        Where to write the result (and the array returned): of the result's
        shape and exactly its dtype, writeable, aligned, any strides with
        distinct elements, sharing no memory with ``a`` or ``v`` (the checks
        of :func:`conv1d`). It is checked before anything is written; a
        failed check leaves it untouched.

    Returns
    -------
    numpy.ndarray
        1-d, float32 when both inputs are float32, else float64.

    Raises
    ------
    TypeError
        If an input holds complex, bool, object or str data, an option is
        not a str, or ``out`` is not an ndarray of the result's dtype.
    ValueError
        If an input is empty or has the wrong number of dimensions, an
        option is not one of its choices, or ``out`` fails its checks.

    See Also
    --------
    correlate, convolve2d, conv1d

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> gilfree.convolve([1, 2, 3], [0, 1, 0.5]).tolist()
    [0.0, 1.0, 2.5, 4.0, 1.5]
    >>> gilfree.convolve([1, 2, 3], [0, 1, 0.5], "same").tolist()
    [1.0, 2.5, 4.0]
    >>> out = np.zeros(3)
    >>> gilfree.convolve([1, 2, 3], [0, 1, 0.5], "same", out=out) is out
    True
    """
    return _corr1d(a, v, mode, method, reverse_kernel=True, out=out)


@kernel
def correlate(
    a: npt.ArrayLike,
    v: npt.ArrayLike,
    mode: _Mode = "valid",
    *,
    method: _Method = "auto",
    out: FloatArray | None = None,
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
    out : numpy.ndarray, optional
        As for :func:`convolve` (sharing no memory with the inputs).

    Returns
    -------
    numpy.ndarray
        1-d, float32 when both inputs are float32, else float64.

    Raises
    ------
    TypeError
        If an input holds complex, bool, object or str data, an option is
        not a str, or ``out`` is not an ndarray of the result's dtype.
    ValueError
        If an input is empty or has the wrong number of dimensions, an
        option is not one of its choices, or ``out`` fails its checks.

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
    return _corr1d(a, v, mode, method, reverse_kernel=False, out=out)


@kernel
def convolve2d(
    in1: npt.ArrayLike,
    in2: npt.ArrayLike,
    mode: _Mode = "full",
    boundary: _Boundary = "fill",
    fillvalue: _Fill = 0,
    *,
    method: _Method = "auto",
    out: FloatArray | None = None,
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
    out : numpy.ndarray, optional
        As for :func:`convolve` (sharing no memory with the inputs).

    Returns
    -------
    numpy.ndarray
        2-d, float32 when both inputs are float32, else float64.

    Raises
    ------
    TypeError
        If an input holds complex, bool, object or str data, an option is
        not a str, ``fillvalue`` is not a real number, or ``out`` is not an
        ndarray of the result's dtype.
    ValueError
        If an input is empty or not 2-d, an option is not one of its choices,
        ``fillvalue`` has more than one element, in ``"valid"`` mode
        neither input is at least as large as the other in every dimension,
        or ``out`` fails its checks.

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
    return _corr2d(in1, in2, mode, boundary, fillvalue, method, flip=True, out=out)


@kernel
def correlate2d(
    in1: npt.ArrayLike,
    in2: npt.ArrayLike,
    mode: _Mode = "full",
    boundary: _Boundary = "fill",
    fillvalue: _Fill = 0,
    *,
    method: _Method = "auto",
    out: FloatArray | None = None,
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
    out : numpy.ndarray, optional
        As for :func:`convolve` (sharing no memory with the inputs).

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
    return _corr2d(in1, in2, mode, boundary, fillvalue, method, flip=False, out=out)
