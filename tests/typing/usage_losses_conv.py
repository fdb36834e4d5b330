"""Documented usage of gilfree's losses and convolutions, as a user writes it.

Type-checked by tests/test_typing.py: mypy --strict and pyright must report
no error in this file. It also runs (``python tests/typing/usage_losses_conv.py``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import gilfree
import numpy as np
import numpy.typing as npt
from gilfree import aio

a = np.array([1.0, 2.0, 3.0])
b = np.array([1.0, 2.0, 5.0])
w = np.array([1.0, 1.0, 2.0])
a32 = a.astype(np.float32)

# reductions to a scalar: a NumPy float, usable as a float
m: float = float(gilfree.mse(a, b))
s: np.floating[Any] = gilfree.mae(a, b, reduction="sum")
m_weighted = float(gilfree.mse(a, b, sample_weight=w))
m_lists = float(gilfree.mse([1.0, 3.0], [0.0, 0.0]))
m_32 = float(gilfree.mse(a32, a32 + 1))
round(float(gilfree.kl_div(np.log([[0.25, 0.75]]), [[0.5, 0.5]], reduction="batchmean")), 6)

# reduction="none": the per-element losses, an array
per_element: npt.NDArray[np.floating[Any]] = gilfree.huber(a, b, reduction="none")
first = per_element[0]
listed: list[float] = gilfree.smooth_l1(a, b, reduction="none").tolist()
shape = gilfree.pinball(a, b, quantile=0.9, reduction="none").shape

# return_grad=True: (value, grad)
value, grad = gilfree.mse([1.0, 3.0], [0.0, 0.0], reduction="sum", return_grad=True)
pair = float(value), grad.tolist(), grad.shape
losses, grad_none = gilfree.mae(a, b, reduction="none", return_grad=True)
both = losses.sum() + grad_none.sum()
flag: bool = bool(len(a) % 2)
either = gilfree.mse(a, b, return_grad=flag)  # a bool variable: value or (value, grad)
if isinstance(either, tuple):
    v0, g0 = either

# broadcasting (NumPy's rules) and the caller's buffers
m_scalar_target = float(gilfree.mse(a, 0.5))
row: npt.NDArray[np.floating[Any]] = gilfree.mae(a, b[None], reduction="none")
buf, gbuf = np.empty(3), np.empty(3)
written: npt.NDArray[np.floating[Any]] = gilfree.huber(a, b, reduction="none", out=buf)
lv, lg = gilfree.log_cosh(a, b, reduction="none", return_grad=True, out=buf, grad_out=gbuf)
sv, sg = gilfree.binary_cross_entropy_with_logits(a, b / 5, return_grad=True, grad_out=gbuf)

# every loss, with its own parameters
float(gilfree.huber(a, b, delta=2.0))
float(gilfree.smooth_l1(a, b, beta=0.5))
float(gilfree.log_cosh(a, b))
float(gilfree.pinball(a, b, quantile=0.1, sample_weight=w))
float(gilfree.poisson_nll(a, b, log_input=False, full=True, eps=1e-6))
p = np.array([0.2, 0.5, 0.9])
t = np.array([0.0, 1.0, 1.0])
float(gilfree.binary_cross_entropy(p, t))
float(gilfree.binary_cross_entropy_with_logits(a, t, pos_weight=2.0))
gilfree.binary_cross_entropy_with_logits(a, t, pos_weight=np.array([1.0, 2.0, 3.0]), reduction="none")
float(gilfree.kl_div(np.log(p), t, log_target=False))
float(gilfree.hinge(a, np.array([1.0, -1.0, 1.0])))
float(gilfree.squared_hinge(a, np.array([1.0, -1.0, 1.0]), reduction="mean"))
logits = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
classes = np.array([0, 2])
float(gilfree.cross_entropy(logits, classes))
float(
    gilfree.cross_entropy(logits, classes, class_weight=[1.0, 2.0, 1.0], ignore_index=1, label_smoothing=0.1)
)
ce_value, ce_grad = gilfree.cross_entropy(logits, classes, sample_weight=[1.0, 0.5], return_grad=True)
ce_rows = gilfree.cross_entropy(logits, np.full((2, 3), 1 / 3), reduction="none")
float(gilfree.nll_loss(np.log([[0.5, 0.5], [0.25, 0.75]]), classes % 2, class_weight=[1.0, 2.0]))
nll_v, nll_g = gilfree.nll_loss(np.log([[0.5, 0.5]]), [1], reduction="sum", ignore_index=-1, return_grad=True)
pixels, labels = np.zeros((2, 3, 4, 5)), np.zeros((2, 4, 5), dtype=np.int64)  # (N, C, H, W), (N, H, W)
px_losses: npt.NDArray[np.floating[Any]] = gilfree.cross_entropy(pixels, labels, reduction="none")
px_v, px_g = gilfree.nll_loss(pixels, labels, sample_weight=np.ones((2, 4, 5)), return_grad=True)

# NumPy / SciPy convolutions
c1: npt.NDArray[np.floating[Any]] = gilfree.convolve([1, 2, 3], [0, 1, 0.5])
gilfree.convolve([1, 2, 3], [0, 1, 0.5], "same").tolist()
gilfree.convolve(a, b, mode="valid", method="fft")
gilfree.correlate([1, 2, 3], [0, 1, 0.5], "full", method="direct")
img = np.arange(9.0).reshape(3, 3)
gilfree.convolve2d(img, np.ones((2, 2)), mode="valid")
gilfree.convolve2d(img, [[0, 0], [0, 1]], mode="same", boundary="wrap")
gilfree.convolve2d(img, img, "full", "symmetric", method="auto")
gilfree.correlate2d(img, [[1, 0], [0, -1]], mode="valid", boundary="fill", fillvalue=1.5)
gilfree.correlate2d(img, img, fillvalue=[0.0])

# PyTorch-style convolutions
x1 = np.arange(6.0).reshape(1, 1, 6)
gilfree.conv1d(x1, np.array([[[1.0, -1.0]]]), stride=2)
shape = gilfree.conv1d(x1[0], np.ones((2, 1, 3)), bias=[0.0, 10.0], padding="same").shape
gilfree.conv1d(x1, np.ones((1, 1, 2)), None, (1,), (1,), (2,), 1, method="gemm")
gilfree.conv1d(x1, np.ones((1, 1, 2)), padding="valid", dilation=2, method="direct")
x2 = np.ones((1, 2, 4, 4), dtype=np.float32)
k2 = np.ones((3, 2, 3, 3), dtype=np.float32)
y: npt.NDArray[np.floating[Any]] = gilfree.conv2d(x2, k2, padding=1)
described = y.shape, y.dtype, float(y[0, 0, 0, 0])
gilfree.conv2d(x2, k2, padding="same")
gilfree.conv2d(x2, k2, stride=(2, 2), padding=(1, 1))
gilfree.conv2d(x2, k2, bias=np.zeros(3), stride=[1, 1], dilation=(1, 1), groups=1, method="winograd")
gilfree.conv2d(x2, np.ones((4, 1, 3, 3)), groups=2, padding="valid", method="direct")
y_buf = np.empty((1, 3, 4, 4), dtype=np.float32)
y_same: npt.NDArray[np.floating[Any]] = gilfree.conv2d(x2, k2, padding=1, out=y_buf)
gilfree.conv1d(x1, np.ones((1, 1, 2)), out=np.empty((1, 1, 5)))


# the awaitable twins: same arguments, same results
async def service() -> float:
    mean = await gilfree.aio.mse(a, b)
    per = await aio.huber(a, b, reduction="none", delta=0.5)
    v1, g1 = await aio.cross_entropy(logits, classes, return_grad=True)
    out = await aio.conv2d(x2, k2, stride=(2, 2), padding=(1, 1))
    same = await aio.convolve(a, b, "same")
    img2 = await aio.correlate2d(img, img, boundary="wrap")
    return (
        float(mean)
        + float(per.sum())
        + float(v1)
        + float(g1.sum())
        + float(out.sum())
        + float(same[0])
        + float(img2[0, 0])
    )


total: float = asyncio.run(service())
