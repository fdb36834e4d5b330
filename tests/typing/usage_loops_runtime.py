"""Documented usage of gilfree's loops, runtime and aio: mypy --strict and
pyright must accept every line, and the types they infer must be what runs
(tests/test_typing.py checks the first and runs this file for the second)."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import gilfree
import numpy as np
import numpy.typing as npt

if sys.version_info >= (3, 11):
    from typing import assert_type
else:  # pragma: no cover
    from typing_extensions import assert_type

a = np.linspace(0.0, 1.0, 100)
m = np.arange(12.0).reshape(3, 4)
i = np.arange(10, dtype=np.int32)

# reductions: a NumPy scalar for axis=None without keepdims, else scalar or array
total = gilfree.sum(i)
assert_type(total, np.int64 | np.floating[Any])
assert isinstance(total, np.integer) and total.dtype == np.int64
average = float(gilfree.mean(a))
spread = gilfree.var(a, ddof=1)
assert_type(spread, np.floating[Any])
assert isinstance(spread, np.floating)
assert isinstance(gilfree.std(a), np.floating)
smallest = gilfree.min(i)
assert_type(smallest, np.signedinteger[Any] | np.floating[Any])
assert isinstance(smallest, np.integer) and smallest.dtype == np.int32
assert isinstance(gilfree.max(a), np.floating)
where = gilfree.argmax(a)
assert_type(where, np.int64)
assert isinstance(where, np.integer) and where.dtype == np.int64
assert gilfree.argmin(a).dtype == np.int64
assert isinstance(gilfree.norm(a, ord=np.inf), np.floating)
assert isinstance(gilfree.logsumexp(a), np.floating)
lse, lse_sign = gilfree.logsumexp(a, None, a, False, True)
lse2, lse_sign2 = gilfree.logsumexp(a, b=a, return_sign=True)
assert_type(gilfree.logsumexp(a, b=a), np.floating[Any])
assert isinstance(gilfree.norm(a, 3.5), np.floating)
assert isinstance(gilfree.norm(a, None, 0), np.floating | np.ndarray)
cube = np.ones((2, 3, 4))
assert isinstance(gilfree.norm(cube, "fro", (1, 2)), np.ndarray)  # matrix norms over a pair of axes
assert isinstance(gilfree.norm(cube[0], 1), np.floating)
assert isinstance(gilfree.logsumexp(cube, axis=(0, 2)), np.ndarray)
assert gilfree.softmax(cube, axis=(1, 2)).shape == cube.shape
assert isinstance(gilfree.dot(i, i), np.signedinteger)
assert isinstance(gilfree.sqdist(a, a[::-1]), np.floating)
rows = gilfree.mean(m, axis=1)
assert_type(rows, np.floating[Any] | npt.NDArray[np.floating[Any]])
assert isinstance(rows, np.ndarray)
kept = gilfree.sum(m, keepdims=True)
assert isinstance(kept, np.ndarray) and kept.shape == (1, 1)
assert gilfree.max(m, axis=np.int64(0)).tolist() == [8.0, 9.0, 10.0, 11.0]
assert isinstance(gilfree.sqdist(m, m, axis=1), np.ndarray)

# NumPy's conventions: tuple axis, dtype=, out= (returned as it is), NumPy's positional order
both = gilfree.sum(m, axis=(0, 1), dtype=np.float32)
assert both.dtype == np.float32 and both.ndim == 0
col_buf = np.empty(4)
col_sums: npt.NDArray[np.float64] = gilfree.sum(m, 0, None, col_buf)  # out's own type
assert col_sums is col_buf
spread_rows = gilfree.var(m, (1,), np.float64, None, 1, True)
assert isinstance(spread_rows, np.ndarray) and spread_rows.shape == (3, 1)
row_buf = np.empty(3)
row_std: npt.NDArray[np.float64] = gilfree.std(m, axis=1, out=row_buf, ddof=1)
row_mean: npt.NDArray[np.float64] = gilfree.mean(m, 1, out=row_buf)
assert row_std is row_mean is row_buf
assert gilfree.max(m, (0, 1), out=np.empty(())) == 11.0
assert gilfree.min(m, 1, row_buf, False).shape == (3,)
where_buf = np.empty(4, dtype=np.intp)
where_rows: npt.NDArray[np.intp] = gilfree.argmax(m, 0, where_buf)
assert gilfree.argmin(m, axis=1, out=np.empty(3, dtype=np.int64), keepdims=False).tolist() == [0, 0, 0]
conv_buf = np.empty(5)
assert gilfree.convolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5], out=conv_buf) is conv_buf
img_buf = np.empty((3, 3))
assert gilfree.correlate2d(m[:, :3], [[1.0]], "same", out=img_buf) is img_buf

# array results
probs = gilfree.softmax(m)
assert_type(probs, npt.NDArray[np.floating[Any]])
assert isinstance(probs, np.ndarray)
running = gilfree.cumsum(i)
assert_type(running, npt.NDArray[np.int64 | np.floating[Any]])
assert running.dtype == np.int64
out = np.empty_like(a)
assert gilfree.axpy(2.0, a, a, out=out) is out
clipped = gilfree.clip(a, 0.25, None)
assert_type(clipped, npt.NDArray[np.signedinteger[Any] | np.floating[Any]])
counts, edges = gilfree.histogram(a, bins=5, range=(0.0, 1.0))
dens, dedges = gilfree.histogram(a, [0.0, 0.5, 1.0], None, True, a)
clipped2 = gilfree.clip(a, a, [1.0])
assert counts.dtype == np.int64 and edges.dtype == np.float64

# runtime
cpus: int = gilfree.available_cpus()
old = gilfree.get_num_threads()
gilfree.set_num_threads(1)
gilfree.set_num_threads(old)
with gilfree.threads(2):
    assert gilfree.get_num_threads() == 2
info = gilfree.show_config(as_dict=True)
assert_type(info, dict[str, Any])
assert isinstance(info["numpy"], str)
try:
    raise gilfree.KernelCancelled("stopped")
except gilfree.KernelCancelled as exc:
    assert isinstance(exc, RuntimeError)


# the awaitable twins and gilfree.aio's own functions
async def main() -> None:
    s = await gilfree.aio.sum(a)
    assert_type(s, np.int64 | np.floating[Any])
    assert isinstance(s, np.floating)
    col = await gilfree.aio.mean(m, axis=0)
    col_out: npt.NDArray[np.float64] = await gilfree.aio.mean(m, (0,), None, np.empty(4))
    assert col_out.tolist() == [4.0, 5.0, 6.0, 7.0]
    assert_type(col, np.floating[Any] | npt.NDArray[np.floating[Any]])
    d = await gilfree.aio.run(gilfree.dot, a, a)
    assert_type(d, np.signedinteger[Any] | np.floating[Any])
    results = await gilfree.aio.map(gilfree.sqdist, [a, a], [a, a[::-1]])
    assert len(results) == 2
    async for index, value in gilfree.aio.map_unordered(gilfree.dot, [a], [a], concurrency=1):
        assert index == 0 and value == d
    gilfree.aio.set_limits(max_in_flight=4, max_queued=16)
    try:
        assert gilfree.aio.stats()["max_queued"] == 16
    except gilfree.aio.Overloaded:  # what an overloaded service would catch
        raise
    finally:
        gilfree.aio.set_limits()
    gilfree.aio.shutdown(wait=True)


asyncio.run(main())
