"""Awaitable kernels: ``await gilfree.aio.<name>(...)`` for every public kernel.

Each call runs on gilfree's own thread pool executor (never the loop's
default one, which also serves ``asyncio.to_thread`` and DNS lookups), with
the caller's contextvars, while the event loop keeps running. Cancelling the
awaiting task cancels the kernel itself: it stops at its next chunk and its
thread is free again.

Examples
--------
>>> import asyncio, numpy as np, gilfree
>>> a = np.arange(5.0)
>>> asyncio.run(gilfree.aio.mse(a, a + 1))
np.float64(1.0)
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import _registry
from .runtime import _TOKEN, Token, available_cpus

__all__ = ["map", "run", "set_executor_workers"]

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_workers: int | None = None


def _get_executor() -> ThreadPoolExecutor:
    global _executor
    ex = _executor
    if ex is None:
        with _executor_lock:
            if _executor is None:
                n = _workers or max(4, 2 * available_cpus())
                _executor = ThreadPoolExecutor(max_workers=n, thread_name_prefix="gilfree-aio")
            ex = _executor
    return ex


def _reset_executor() -> None:
    """Forget the executor (after fork: its threads live in the parent only)."""
    global _executor, _executor_lock
    _executor = None
    _executor_lock = threading.Lock()


def set_executor_workers(n: int) -> None:
    """Number of kernel calls that may run at once through gilfree.aio
    (default: twice the CPUs, at least 4). Each call still spreads its own
    work over the compute pool."""
    from .runtime import _check_n

    global _workers, _executor
    _workers = _check_n(n)
    with _executor_lock:
        old, _executor = _executor, None
    if old is not None:
        old.shutdown(wait=False)


async def run(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Await ``fn(*args, **kwargs)`` run on gilfree's executor.

    ``fn`` is a gilfree kernel (or any callable that calls them). Context
    variables (``gilfree.threads``, your own) reach the call. If the
    awaiting task is cancelled, the kernel's cancel token is set, so the
    native work stops at its next chunk.
    """
    loop = asyncio.get_running_loop()
    token = Token()
    ctx = contextvars.copy_context()
    ctx.run(_TOKEN.set, token)
    call = functools.partial(ctx.run, fn, *args, **kwargs)
    try:
        return await loop.run_in_executor(_get_executor(), call)
    except asyncio.CancelledError:
        token.cancel()
        raise


def _make_awaitable(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def awaitable(*args: Any, **kwargs: Any) -> Any:
        return await run(fn, *args, **kwargs)

    awaitable.__doc__ = (
        f"Awaitable :func:`gilfree.{fn.__name__}`: same arguments and result; runs on "
        f"gilfree's executor and stops the native work when cancelled.\n\n" + (fn.__doc__ or "")
    )
    awaitable.__qualname__ = fn.__name__
    awaitable.__module__ = __name__
    return awaitable


async def map(
    fn: Callable[..., Any],
    /,
    *iterables: Iterable[Any],
    concurrency: int | None = None,
    progress: bool | str = False,
    **kwargs: Any,
) -> list[Any]:
    """Await ``fn(*items, **kwargs)`` for each tuple of items, like the
    builtin ``map``, with at most ``concurrency`` calls in flight (default:
    the number of CPUs). Results come back in input order. With
    ``progress=True`` (or a description string) a tqdm bar counts finished
    calls. If one call fails, the others are cancelled and the error raised.

    Examples
    --------
    >>> import asyncio, numpy as np, gilfree
    >>> preds = [np.full(3, float(i)) for i in range(4)]
    >>> asyncio.run(gilfree.aio.map(gilfree.mse, preds, [np.zeros(3)] * 4))
    [np.float64(0.0), np.float64(1.0), np.float64(4.0), np.float64(9.0)]
    """
    from .runtime import _check_n

    fn = getattr(fn, "__wrapped__", fn)  # accept gilfree.aio.x as well as gilfree.x
    limit = _check_n(concurrency, "concurrency") if concurrency is not None else available_cpus()
    items = list(zip(*iterables, strict=True))
    sem = asyncio.Semaphore(limit)
    bar = None
    if progress:
        try:
            from tqdm.auto import tqdm
        except ImportError as exc:  # pragma: no cover
            raise ImportError("progress=True needs tqdm: pip install tqdm") from exc
        bar = tqdm(total=len(items), desc=progress if isinstance(progress, str) else fn.__name__)

    async def one(args: tuple[Any, ...]) -> Any:
        async with sem:
            result = await run(fn, *args, **kwargs)
        if bar is not None:
            bar.update(1)
        return result

    tasks = [asyncio.ensure_future(one(a)) for a in items]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    finally:
        if bar is not None:
            bar.close()


def __getattr__(name: str) -> Any:
    fn = _registry.KERNELS.get(name)
    if fn is None:
        raise AttributeError(f"module 'gilfree.aio' has no attribute {name!r}")
    wrapped = _make_awaitable(fn)
    globals()[name] = wrapped
    return wrapped


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_registry.KERNELS))
