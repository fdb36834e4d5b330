"""Misuse of gilfree's losses and convolutions that the type checkers must catch.

Type-checked (never run) by tests/test_typing.py: mypy --strict and pyright
must each report an error on every line whose trailing comment is the word
error, and on no other line.
"""

from __future__ import annotations

import gilfree
import numpy as np

a = np.array([1.0, 2.0, 3.0])
b = np.array([1.0, 2.0, 5.0])
img = np.ones((3, 3))
x = np.ones((1, 2, 4, 4))
k = np.ones((3, 2, 3, 3))
logits = np.zeros((2, 3))
classes = np.array([0, 2])

# a missing required argument
gilfree.mse(a)  # error
gilfree.conv2d(x)  # error
# an option that is not one of the choices
gilfree.mse(a, b, reduction="avg")  # error
gilfree.mse(a, b, reduction="batchmean")  # error
gilfree.conv2d(x, k, padding="valid2")  # error
gilfree.convolve(a, b, mode="circular")  # error
gilfree.convolve2d(img, img, boundary="reflect")  # error
gilfree.correlate(a, b, method="gemm")  # error
gilfree.conv1d(x[0], k[0], method="winograd")  # error
# an argument of the wrong type or arity
gilfree.huber(a, b, delta="1")  # error
gilfree.cross_entropy(logits, classes, ignore_index=None)  # error
gilfree.conv2d(x, k, stride=(1, 2, 3))  # error
gilfree.mse(a, b, "sum")  # error
gilfree.mse(a, b, reduction="none", out=[0.0, 0.0, 0.0])  # error
gilfree.huber(a, b, return_grad=True, grad_out=3.0)  # error
gilfree.conv2d(x, k, out=(1, 3, 2, 2))  # error
# a return_grad=True result is a (value, grad) pair, not a float
float(gilfree.mse(a, b, return_grad=True))  # error
# a reduced loss is a scalar, the unreduced losses an array
value, grad = gilfree.mse(a, b)  # error
per_element: float = gilfree.mse(a, b, reduction="none")  # error
# the awaitable twins take the same arguments, and only the kernels exist
gilfree.aio.mse(a)  # error
missing = gilfree.aio.nonexistent  # error


async def misuse() -> None:
    await gilfree.aio.mse(a, b, reduction="avg")  # error
    _v: float = await gilfree.aio.mse(a, b, return_grad=True)  # error
