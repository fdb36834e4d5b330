"""Threads and cancellation: the process-wide compute pool seen from Python.

One C++ pool (Eigen's ThreadPool) serves every kernel. ``set_num_threads``
sizes it for the whole process; ``threads(n)`` limits the calls made inside
a ``with`` block (and inside tasks started there: it is a context variable,
so it follows ``await`` and gilfree.aio's executor hand-off).
"""

from __future__ import annotations

import concurrent.futures.thread  # noqa: F401  (its exit hook must be registered before ours)
import contextlib
import contextvars
import operator
import threading
from collections.abc import Iterator

from ._cyx import _runtime as _rt

__all__ = [
    "KernelCancelled",
    "available_cpus",
    "get_num_threads",
    "set_num_threads",
    "threads",
]

Token = _rt.Token

_THREADS: contextvars.ContextVar[int | None] = contextvars.ContextVar("gilfree_threads", default=None)
_TOKEN: contextvars.ContextVar[Token | None] = contextvars.ContextVar("gilfree_token", default=None)


class KernelCancelled(RuntimeError):
    """A kernel stopped early because its await was cancelled (or the
    interpreter is exiting)."""


MAX_THREADS = _rt.MAX_THREADS


def _check_n(n: object, name: str = "n") -> int:
    """A thread count: an int in [1, MAX_THREADS]."""
    if isinstance(n, bool) or not isinstance(n, int):
        try:
            n = operator.index(n)  # numpy integers
        except TypeError:
            raise TypeError(f"{name}: expected an int >= 1, got {type(n).__name__}") from None
    if not 1 <= n <= MAX_THREADS:
        raise ValueError(f"{name}: expected an int in [1, {MAX_THREADS}], got {n}")
    return n


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
    n = _THREADS.get()
    return n if n is not None else _rt.get_num_threads()


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
    _rt.set_num_threads(_check_n(n))


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
    reset = _THREADS.set(_check_n(n))
    try:
        yield
    finally:
        _THREADS.reset(reset)


_MAIN_THREAD_ID = threading.main_thread().ident
# Sync calls from the main thread run with this token: between chunks the
# kernel's calling thread runs Python's pending signal handlers, so Ctrl-C
# (and Jupyter's interrupt, the same SIGINT) stops the native work.
_MAIN_TOKEN = Token(interruptible=True)


class WouldBlock(Exception):
    """A call's work exceeded its token's inline budget before any of it ran
    (gilfree.aio then hands the call to a thread)."""


def _current_token() -> Token | None:
    tok = _TOKEN.get()
    if tok is None and threading.get_ident() == _MAIN_THREAD_ID:
        tok = _MAIN_TOKEN
        tok.reset()
    return tok


_CANCELLED_MESSAGE = "gilfree: kernel cancelled"
_WOULD_BLOCK_MESSAGE = "gilfree: kernel would block"


def _translate(exc: RuntimeError, tok: Token | None) -> BaseException:
    message = str(exc)
    if message == _CANCELLED_MESSAGE:
        if tok is not None and tok.interrupt is not None:
            return tok.interrupt  # a signal handler raised (KeyboardInterrupt)
        if _rt.abort_requested():
            # The interpreter is exiting: end the calling thread quietly (an
            # exact SystemExit is the one exception threading does not print;
            # an awaiting task passes it out of its loop the same way).
            return SystemExit()
        return KernelCancelled("the kernel was cancelled before it finished")
    if message == _WOULD_BLOCK_MESSAGE:
        return WouldBlock()
    return exc


def _call_kernel(fn, *args):
    """fn(*args, nthreads, token) for this context; a cancelled kernel's
    RuntimeError becomes KernelCancelled (or the KeyboardInterrupt that
    stopped it). Every binding call goes through here."""
    n = _THREADS.get()
    tok = _current_token()
    try:
        return fn(*args, n if n is not None else _rt.get_num_threads(), tok.addr if tok is not None else 0)
    except RuntimeError as exc:
        raise _translate(exc, tok) from None


# At interpreter exit, make every kernel still running stop at its next
# chunk, so that joining executor threads (concurrent.futures' exit hook,
# registered before this one and so run after it) does not wait for them.
if hasattr(threading, "_register_atexit"):
    threading._register_atexit(_rt.request_abort_all)
else:  # pragma: no cover
    import atexit

    atexit.register(_rt.request_abort_all)
