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

from ._conv_signal import convolve, convolve2d, correlate, correlate2d
from ._conv_torch import conv1d, conv2d

__all__ = ["conv1d", "conv2d", "convolve", "convolve2d", "correlate", "correlate2d"]
