"""Threads and cancellation: the process-wide compute pool seen from Python.

One C++ pool (Eigen's ThreadPool) serves every kernel. ``set_num_threads``
sizes it for the whole process; ``threads(n)`` limits the calls made inside
a ``with`` block (and inside tasks started there: it is a context variable,
so it follows ``await`` and gilfree.aio's executor hand-off).
"""

from __future__ import annotations

import concurrent.futures.thread  # noqa: F401  (its exit hook must be registered before ours)
import threading
import warnings

from ._context import MAX_THREADS, KernelCancelled, Token, WouldBlock, check_count, num_threads
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
    """Count the CPUs this process may run on (its affinity mask).

    Returns
    -------
    int
        The number of CPUs in the process's affinity mask.

    See Also
    --------
    get_num_threads, set_num_threads

    Examples
    --------
    >>> import os, gilfree
    >>> gilfree.available_cpus() == len(os.sched_getaffinity(0))
    True
    """
    return _rt.available_cpus()


def get_num_threads() -> int:
    """Return the threads a kernel called here would use, the calling one included.

    Returns
    -------
    int
        The count of the enclosing :func:`threads` block, else the
        process-wide one of :func:`set_num_threads`.

    See Also
    --------
    set_num_threads, threads, available_cpus

    Examples
    --------
    >>> import gilfree
    >>> with gilfree.threads(1):
    ...     gilfree.get_num_threads()
    1
    """
    return num_threads()


def set_num_threads(n: int) -> None:
    """Size the process-wide compute pool.

    Kernels use ``n`` threads, the calling thread included. The default is
    ``GILFREE_NUM_THREADS`` or the number of CPUs this process may use.

    Parameters
    ----------
    n : int
        The number of threads, from 1 to ``gilfree.runtime.MAX_THREADS``.
        More than :func:`available_cpus` is allowed but warned about: the
        pool then oversubscribes the CPUs, and kernels get slower, not faster
        (a per-call ``threads(n)`` above the CPU count, e.g. to check that
        results do not depend on it, is not warned about).

    Raises
    ------
    TypeError
        If n is not an int.
    ValueError
        If n is out of range.

    Warns
    -----
    RuntimeWarning
        If n is more than the CPUs this process may use.

    See Also
    --------
    threads, get_num_threads, available_cpus

    Examples
    --------
    >>> import gilfree
    >>> old = gilfree.get_num_threads()
    >>> gilfree.set_num_threads(1)
    >>> gilfree.get_num_threads()
    1
    >>> gilfree.set_num_threads(old)
    """
    n = check_count(n)
    cpus = _rt.available_cpus()
    if n > cpus:
        warnings.warn(
            f"n: {n} threads on {cpus} available CPUs oversubscribes them (kernels get slower, not faster)",
            RuntimeWarning,
            stacklevel=2,
        )
    _rt.set_num_threads(n)


threads = _rt.threads  # a C class: entering and leaving costs a context-variable set and reset


KernelCancelled.__doc__ = """A kernel stopped early: its await was cancelled, or the interpreter exits.

gilfree.aio sets the cancel token of the calls it runs when the awaiting task
is cancelled; the kernel stops at its next chunk and raises this in its thread
(the awaiting task itself sees ``asyncio.CancelledError``).

See Also
--------
gilfree.aio.run

Examples
--------
>>> import gilfree
>>> issubclass(gilfree.KernelCancelled, RuntimeError)
True
"""

# At interpreter exit, make every kernel still running stop at its next
# chunk, so that joining executor threads (concurrent.futures' exit hook,
# registered before this one and so run after it) does not wait for them.
if hasattr(threading, "_register_atexit"):
    threading._register_atexit(_rt.request_abort_all)
else:  # pragma: no cover
    import atexit

    atexit.register(_rt.request_abort_all)
