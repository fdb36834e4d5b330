"""Threads and cancellation: the process-wide compute pool seen from Python.

One C++ pool (Eigen's ThreadPool) serves every kernel. ``set_num_threads``
sizes it for the whole process; ``threads(n)`` limits the calls made inside
a ``with`` block (and inside tasks started there: it is a context variable,
so it follows ``await`` and gilfree.aio's executor hand-off).
"""

from __future__ import annotations

import concurrent.futures.thread  # noqa: F401  (its exit hook must be registered before ours)
import contextlib
import threading
from collections.abc import Iterator

from ._context import MAX_THREADS, THREADS, KernelCancelled, Token, WouldBlock, check_count, num_threads
from ._cyx import _runtime as _rt

__all__ = [
    "MAX_THREADS",
    "KernelCancelled",
    "Token",
    "WouldBlock",
    "available_cpus",
    "get_num_threads",
    "set_num_threads",
    "threads",
]


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask).

    Examples
    --------
    >>> import os, gilfree
    >>> gilfree.available_cpus() == len(os.sched_getaffinity(0))
    True
    """
    return _rt.available_cpus()


def get_num_threads() -> int:
    """Threads a kernel called here would use (the calling thread included).

    Examples
    --------
    >>> import gilfree
    >>> with gilfree.threads(1):
    ...     gilfree.get_num_threads()
    1
    """
    return num_threads()


def set_num_threads(n: int) -> None:
    """Size the process-wide compute pool: kernels use ``n`` threads, the
    calling thread included. The default is ``GILFREE_NUM_THREADS`` or the
    number of CPUs this process may use.

    Examples
    --------
    >>> import gilfree
    >>> old = gilfree.get_num_threads()
    >>> gilfree.set_num_threads(1)
    >>> gilfree.get_num_threads()
    1
    >>> gilfree.set_num_threads(old)
    """
    _rt.set_num_threads(check_count(n))


@contextlib.contextmanager
def threads(n: int) -> Iterator[None]:
    """Run the kernels called in this block (and in tasks it starts) on ``n``
    threads, without changing the process-wide setting.

    Examples
    --------
    >>> import numpy as np, gilfree
    >>> a = np.linspace(0, 1, 10**6)
    >>> with gilfree.threads(1):
    ...     one = gilfree.mse(a, a[::-1])
    >>> bool(one == gilfree.mse(a, a[::-1]))  # bitwise identical for any thread count
    True
    """
    reset = THREADS.set(check_count(n))
    try:
        yield
    finally:
        THREADS.reset(reset)


# At interpreter exit, make every kernel still running stop at its next
# chunk, so that joining executor threads (concurrent.futures' exit hook,
# registered before this one and so run after it) does not wait for them.
if hasattr(threading, "_register_atexit"):
    threading._register_atexit(_rt.request_abort_all)
else:  # pragma: no cover
    import atexit

    atexit.register(_rt.request_abort_all)
