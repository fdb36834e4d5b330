"""The state a kernel call reads from its context, shared by gilfree.runtime
and gilfree.aio (both import it; it imports neither): the thread count and
cancel token of the calling context, and the one function every binding call
goes through."""

from __future__ import annotations

import contextvars
import operator
import threading
from collections.abc import Callable
from typing import TypeVar

from ._cyx import _runtime as _rt

_T = TypeVar("_T")

Token = _rt.Token
KernelCancelled = _rt.KernelCancelled
WouldBlock = _rt.WouldBlock
MAX_THREADS = _rt.MAX_THREADS

# gilfree.threads(n) sets THREADS; gilfree.aio sets TOKEN for the calls it runs.
THREADS: contextvars.ContextVar[int | None] = contextvars.ContextVar("gilfree_threads", default=None)
TOKEN: contextvars.ContextVar[Token | None] = contextvars.ContextVar("gilfree_token", default=None)

_MAIN_THREAD_ID = threading.main_thread().ident
# Sync calls from the main thread run with this token: between chunks the
# kernel's calling thread runs Python's pending signal handlers, so Ctrl-C
# (and Jupyter's interrupt, the same SIGINT) stops the native work.
MAIN_TOKEN = Token(interruptible=True)


def check_count(n: object, name: str = "n") -> int:
    """A thread (or call) count: an int in [1, MAX_THREADS]."""
    if isinstance(n, bool) or not isinstance(n, int):
        try:
            n = operator.index(n)  # numpy integers
        except TypeError:
            raise TypeError(f"{name}: expected an int >= 1, got {type(n).__name__}") from None
    if not 1 <= n <= MAX_THREADS:
        raise ValueError(f"{name}: expected an int in [1, {MAX_THREADS}], got {n}")
    return n


def num_threads() -> int:
    """Threads a kernel called in this context uses."""
    n = THREADS.get()
    return n if n is not None else _rt.get_num_threads()


def current_token() -> Token | None:
    tok = TOKEN.get()
    if tok is None and threading.get_ident() == _MAIN_THREAD_ID:
        tok = MAIN_TOKEN
        tok.reset()
    return tok


def _cancelled(exc: KernelCancelled, tok: Token | None) -> BaseException:
    """What a cancelled kernel raises: the signal handler's exception that
    stopped it (KeyboardInterrupt), SystemExit at interpreter exit, or exc."""
    if tok is not None and tok.interrupt is not None:
        return tok.interrupt
    if _rt.abort_requested():
        # The interpreter is exiting: end the calling thread quietly (an
        # exact SystemExit is the one exception threading does not print;
        # an awaiting task passes it out of its loop the same way).
        return SystemExit()
    return exc


def call_kernel(fn: Callable[..., _T], *args: object) -> _T:
    """fn(*args, nthreads, token) for this context. Every binding call goes
    through here."""
    tok = current_token()
    try:
        return fn(*args, num_threads(), tok)
    except KernelCancelled as exc:
        raise _cancelled(exc, tok) from None
