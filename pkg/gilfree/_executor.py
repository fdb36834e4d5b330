"""The threads behind gilfree.aio: one executor, its limits, and its counters.

A call admitted here runs on one of ``max_in_flight`` threads; calls beyond
that wait in the executor's queue (no new thread, the event loop free), and
past ``max_queued`` waiting calls a new one fails at once with
:class:`Overloaded`, which a service turns into "503 Service Unavailable".
The threads hand their kernels' parallel work to the compute pool, whose
workers run at a lower scheduling priority, so the event loop's thread
preempts them when it wakes; the executor's threads themselves (which take
the GIL between kernels) keep the normal priority.
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
from collections.abc import Callable
from typing import Any

from ._context import check_count
from ._cyx import _runtime as _rt
from .runtime import available_cpus


class Overloaded(RuntimeError):
    """More gilfree.aio calls are waiting than the queue limit allows; retry later.

    Raised at once by an awaited kernel (or :func:`gilfree.aio.run`) when
    ``max_queued`` calls already wait for a thread (:func:`gilfree.aio.set_limits`);
    a service turns it into "503 Service Unavailable".

    See Also
    --------
    gilfree.aio.set_limits, gilfree.aio.stats

    Examples
    --------
    >>> import gilfree
    >>> issubclass(gilfree.aio.Overloaded, RuntimeError)
    True
    """


class _State:
    """The executor and its counters, guarded by one lock (calls may come
    from event loops in several threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.executor: concurrent.futures.ThreadPoolExecutor | None = None
        self.max_in_flight: int | None = None  # None: default_in_flight()
        self.max_queued: int | None = None  # None: no limit
        self.in_flight = 0  # admitted and not finished (running or waiting)


_state = _State()


def default_in_flight() -> int:
    """Twice the CPUs, at least 4: enough threads that short calls do not
    queue behind long ones, few enough to bound memory."""
    return max(4, 2 * available_cpus())


def _workers() -> int:
    return _state.max_in_flight or default_in_flight()


def _executor() -> concurrent.futures.ThreadPoolExecutor:
    ex = _state.executor
    if ex is None:
        with _state.lock:
            if _state.executor is None:
                _state.executor = concurrent.futures.ThreadPoolExecutor(
                    max_workers=_workers(),
                    thread_name_prefix="gilfree-aio",
                    initializer=_rt.delegate_compute_to_pool,
                )
            ex = _state.executor
    return ex


def submit(call: Callable[[], Any]) -> concurrent.futures.Future[Any]:
    """Admits ``call`` and hands it to a thread; raises Overloaded when the
    queue is full. The slot is given back when the call ends or is cancelled."""
    with _state.lock:
        limit = _state.max_queued
        if limit is not None and _state.in_flight >= _workers() + limit:
            raise Overloaded(
                f"gilfree.aio: {_state.in_flight} calls in flight, the limit is "
                f"{_workers()} running + {limit} queued"
            )
        _state.in_flight += 1
    try:
        fut = _executor().submit(call)
    except BaseException:
        _release(None)
        raise
    fut.add_done_callback(_release)
    return fut


def _release(_fut: object) -> None:
    with _state.lock:
        _state.in_flight -= 1


def set_limits(max_in_flight: int | None = None, max_queued: int | None = None) -> None:
    """Bound the kernel calls that gilfree.aio runs at once and lets wait.

    Parameters
    ----------
    max_in_flight : int, optional
        Calls running at once, one thread each (default: twice the CPUs, at
        least 4). Each call still spreads its own work over the compute pool
        (:func:`gilfree.set_num_threads`).
    max_queued : int, optional
        Calls allowed to wait for a thread; one more raises
        :class:`gilfree.aio.Overloaded` at once. Default: no limit.

    Raises
    ------
    TypeError
        If max_in_flight or max_queued is not an int (or None).
    ValueError
        If max_in_flight is below 1 or max_queued below 0.

    See Also
    --------
    stats, shutdown

    Examples
    --------
    >>> import gilfree
    >>> gilfree.aio.set_limits(max_in_flight=4, max_queued=16)
    >>> gilfree.aio.stats()["max_queued"]
    16
    >>> gilfree.aio.set_limits()  # back to the defaults
    """
    new_workers = check_count(max_in_flight, "max_in_flight") if max_in_flight is not None else None
    if max_queued is not None:
        if isinstance(max_queued, bool) or not isinstance(max_queued, int):
            raise TypeError(f"max_queued: expected an int or None, got {type(max_queued).__name__}")
        if max_queued < 0:
            raise ValueError(f"max_queued: expected an int >= 0 or None, got {max_queued!r}")
    with _state.lock:
        resize = (new_workers or default_in_flight()) != _workers()
        _state.max_in_flight, _state.max_queued = new_workers, max_queued
        old = _state.executor if resize else None
        if resize:
            _state.executor = None
    if old is not None:
        old.shutdown(wait=False)  # running calls finish on their threads


def stats() -> dict[str, int | None]:
    """Return the calls in flight through gilfree.aio and the limits in force.

    Returns
    -------
    dict
        ``in_flight`` (calls admitted and not finished), ``max_in_flight``,
        ``max_queued`` (None: no limit) and ``threads`` (started so far).

    See Also
    --------
    set_limits, shutdown

    Examples
    --------
    >>> import gilfree
    >>> sorted(gilfree.aio.stats())
    ['in_flight', 'max_in_flight', 'max_queued', 'threads']
    """
    with _state.lock:
        ex = _state.executor
        return {
            "in_flight": _state.in_flight,
            "max_in_flight": _workers(),
            "max_queued": _state.max_queued,
            "threads": len(ex._threads) if ex is not None else 0,
        }


def shutdown(wait: bool = True) -> None:
    """Stop gilfree.aio's idle threads (a later call starts new ones).

    For test suites that check for leaked threads, and for programs that
    want their threads back; calls still running finish first when ``wait``.

    Parameters
    ----------
    wait : bool, default True
        Wait for the calls still running to finish.

    See Also
    --------
    set_limits, stats

    Examples
    --------
    >>> import asyncio, numpy as np, gilfree
    >>> _ = asyncio.run(gilfree.aio.run(sum, [1, 2]))
    >>> gilfree.aio.shutdown()
    >>> gilfree.aio.stats()["threads"]
    0
    """
    with _state.lock:
        ex, _state.executor = _state.executor, None
    if ex is not None:
        ex.shutdown(wait=wait)


def _after_fork_in_child() -> None:
    # The executor's threads live in the parent only; the C++ pool resets
    # itself (pthread_atfork).
    _state.executor = None
    _state.lock = threading.Lock()
    _state.in_flight = 0


os.register_at_fork(after_in_child=_after_fork_in_child)
