"""gilfree on Dask arrays and Dask clusters (``pip install gilfree[dask]``).

Every function here takes Dask arrays and returns Dask collections: nothing
is computed until ``.compute()`` (or ``dask.compute``, or a distributed
``client.compute``). Each task calls the in-memory gilfree kernel on its
block, so a worker thread releases the GIL while it runs, and the results
equal the in-memory ones:

- losses (``mse`` ... ``cross_entropy``): per-block float64 partial sums and
  divisors, added by a tree reduction; ``return_grad=True`` also returns the
  gradient as a Dask array with the input's chunks;
- convolution (``convolve2d``, ``correlate2d``, ``conv1d``, ``conv2d``):
  ``map_overlap`` with the kernel's halo (chunks smaller than the halo are
  merged first), ``map_blocks`` over the batch;
- typed loops: reductions with ``axis`` and ``keepdims`` through
  ``dask.array.reduction`` with exact mergeable states ((count, mean, M2)
  for var/std, log-sum-exp of block log-sum-exps, ...), ``histogram``, and
  the elementwise ``axpy``, ``clip``, ``softmax``, ``cumsum``.

Threads: Dask already runs one task per worker thread, so by default each
task's kernel uses **one** compute thread (``threads_per_task=1``): a worker
with ``threads_per_worker=T`` keeps T cores busy, never T times gilfree's
pool. Pass ``threads_per_task=k`` to give each task k threads (then size
the workers so that ``threads_per_worker * k`` is about the cores they
have), or ``None`` for gilfree's own setting (``gilfree.set_num_threads``).

Cancellation: on a ``dask.distributed`` worker, a task's kernel runs with a
cancel token that a watcher thread sets when the worker stops wanting the
task (its future was cancelled or released): the native work stops at its
next chunk instead of running to the end. Dask itself cannot interrupt a
running task; with the threaded scheduler a computation runs to its end.

Errors are raised when the graph is built, with the in-memory messages:
an argument chunked where it cannot be (``softmax``/``cumsum`` along a
chunked ``axis``, the classes of ``cross_entropy``) or chunks that do not
match the input's are a ValueError naming the argument and the rechunk that
fixes it.

Examples
--------
>>> import numpy as np, dask.array as da, gilfree, gilfree.dask
>>> x = da.random.default_rng(0).normal(size=(1000, 1000), chunks=(300, 400))
>>> mean = gilfree.dask.mean(x)  # lazy
>>> bool(np.isclose(mean.compute(), gilfree.mean(x.compute())))
True
"""

from __future__ import annotations

try:
    import dask.array  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised with dask hidden
    raise ImportError(f"gilfree.dask needs Dask ({exc}); install it with: pip install gilfree[dask]") from exc

from ._dask_conv import conv1d, conv2d, convolve2d, correlate2d
from ._dask_loops import (
    argmax,
    argmin,
    axpy,
    clip,
    cumsum,
    histogram,
    logsumexp,
    max,
    mean,
    min,
    norm,
    softmax,
    sqdist,
    std,
    sum,
    var,
)
from ._dask_losses import LOSSES as _LOSSES

globals().update(_LOSSES)

__all__ = [
    *sorted(_LOSSES),
    "argmax",
    "argmin",
    "axpy",
    "clip",
    "conv1d",
    "conv2d",
    "convolve2d",
    "correlate2d",
    "cumsum",
    "histogram",
    "logsumexp",
    "max",
    "mean",
    "min",
    "norm",
    "softmax",
    "sqdist",
    "std",
    "sum",
    "var",
]

# the examples of the functions defined in the gilfree._dask_* modules run with this module's
__test__ = {name: globals()[name] for name in __all__}
