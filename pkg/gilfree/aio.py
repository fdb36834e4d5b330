"""Awaitable kernels: ``await gilfree.aio.<name>(...)`` for every public kernel.

Each twin takes the same arguments and returns the same result as the sync
kernel. Work too small to be worth a thread hand-off runs at once in the
awaiting coroutine; larger work runs on gilfree's own threads (never the
loop's default executor, which also serves ``asyncio.to_thread`` and DNS
lookups), with the caller's contextvars, while the event loop keeps running.

Guarantees, each tested in tests/ and measured in bench/bench_aio.py:

- the event loop stays responsive while kernels saturate every core (the
  threads run at a lower scheduling priority than the loop's thread);
- cancelling the awaiting task, or an ``asyncio.timeout`` around the await,
  stops the native work itself at its next chunk, so a timeout bounds CPU
  time too, and the thread is free again at once;
- at most ``max_in_flight`` calls run at once, and past ``max_queued``
  waiting calls a new one raises :class:`Overloaded` (:func:`set_limits`).

Examples
--------
>>> import asyncio, numpy as np, gilfree
>>> a = np.arange(5.0)
>>> asyncio.run(gilfree.aio.mse(a, a + 1))
np.float64(1.0)
"""

from __future__ import annotations

import ast as _ast
import asyncio as _asyncio
import builtins as _builtins
import contextvars as _contextvars
import functools as _functools
import inspect as _inspect
import re as _re
import threading as _threading
from collections.abc import AsyncIterator as _AsyncIterator
from collections.abc import Callable as _Callable
from collections.abc import Iterable as _Iterable
from typing import Any as _Any
from typing import ParamSpec as _ParamSpec
from typing import TypeVar as _TypeVar

import numpy as _np

from . import _registry
from ._context import TOKEN, Token, WouldBlock, check_count
from ._executor import Overloaded, set_limits, shutdown, stats, submit
from .runtime import available_cpus

__all__ = ["Overloaded", "map", "map_unordered", "run", "set_limits", "shutdown", "stats"]

# Work (in the runtime's units: an mse element is 1) that an awaited call may
# do inline in the coroutine. A thread hand-off costs ~50-70 us here; this
# much work takes ~10-20 us, so inline is cheaper and the loop is held only
# briefly (bench/bench_aio.py measures both sides).
INLINE_BUDGET = 1 << 14
# An array argument larger than this never runs inline: converting it (e.g.
# integers to float64) would already hold the loop.
_INLINE_ELEMENTS = 1 << 14
_INLINE_SEQUENCE = 64

_inline = _threading.local()
_P = _ParamSpec("_P")
_R = _TypeVar("_R")


def _small(a: _Any) -> bool:
    if type(a) is _np.ndarray:
        return a.size <= _INLINE_ELEMENTS
    if isinstance(a, (list, tuple)):
        return len(a) <= _INLINE_SEQUENCE
    # a tensor, a DataFrame: its size is unknown here
    return not hasattr(a, "__array__") or isinstance(a, _np.generic)


def _fits_inline(args: tuple[_Any, ...], kwargs: dict[str, _Any]) -> bool:
    for a in args:
        if not _small(a):
            return False
    if kwargs:
        for a in kwargs.values():
            if not _small(a):
                return False
    return True


def _run_inline(
    fn: _Callable[..., _Any], args: tuple[_Any, ...], kwargs: dict[str, _Any], budget: int = INLINE_BUDGET
) -> _Any:
    """fn(*args, **kwargs) here, with a token whose budget makes any larger
    work raise WouldBlock before it starts (0: no budget)."""
    try:
        tok = _inline.token
    except AttributeError:
        tok = _inline.token = Token()
    tok.reset(budget)
    reset = TOKEN.set(tok)
    try:
        return fn(*args, **kwargs)
    finally:
        TOKEN.reset(reset)


async def run(fn: _Callable[_P, _R], /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """Await ``fn(*args, **kwargs)`` run on one of gilfree.aio's threads.

    Parameters
    ----------
    fn : callable
        A gilfree kernel, or any callable that calls them.
    *args, **kwargs
        Passed to ``fn``.

    Returns
    -------
    object
        What ``fn`` returns.

    Raises
    ------
    Overloaded
        When the queue limit of :func:`set_limits` is reached.
    Exception
        What ``fn`` raises.

    See Also
    --------
    map : Many calls with bounded concurrency.
    set_limits : Bound the calls in flight and waiting.

    Notes
    -----
    Context variables (``gilfree.threads``, your own) reach the call. If the
    awaiting task is cancelled, the kernel's cancel token is set, so the
    native work stops at its next chunk.

    Examples
    --------
    >>> import asyncio, numpy as np, gilfree
    >>> asyncio.run(gilfree.aio.run(gilfree.sum, np.arange(4.0)))
    np.float64(6.0)
    """
    token = Token()
    ctx = _contextvars.copy_context()
    ctx.run(TOKEN.set, token)
    fut = _asyncio.wrap_future(submit(_functools.partial(ctx.run, fn, *args, **kwargs)))
    try:
        return await fut
    except _asyncio.CancelledError:
        token.cancel()
        raise


def _make_awaitable(fn: _Callable[..., _Any]) -> _Callable[..., _Any]:
    @_functools.wraps(fn)
    async def awaitable(*args: _Any, **kwargs: _Any) -> _Any:
        if _fits_inline(args, kwargs):
            try:
                return _run_inline(fn, args, kwargs)
            except WouldBlock:
                pass
        return await run(fn, *args, **kwargs)

    awaitable.__doc__ = _twin_doc(fn)
    awaitable.__qualname__ = fn.__name__
    awaitable.__module__ = __name__
    awaitable._gilfree_kernel = fn  # type: ignore[attr-defined]
    return awaitable


# A numpydoc section header: a title line, then a line of as many dashes.
_SECTION = _re.compile(r"^(\w[\w ]*)\n-+\n", _re.MULTILINE)


def _twin_doc(fn: _Callable[..., _Any]) -> str:
    """The awaitable twin's docstring, from the kernel's: a summary of its
    own, the kernel's sections with the kernel first in See Also, and the
    Examples with each call of the kernel awaited through asyncio.run."""
    name = fn.__name__
    doc = _inspect.cleandoc(fn.__doc__ or "") + "\n"
    # (no min/max/sum here: this module's twins shadow the builtins once made)
    first = _SECTION.search(doc)
    sections = doc[first.start() :] if first else ""
    if "See Also\n--------\n" in sections:
        sections = sections.replace("See Also\n--------\n", f"See Also\n--------\ngilfree.{name}\n", 1)
    else:
        at = sections.find("Examples\n--------\n")
        at = len(sections) if at < 0 else at
        sections = sections[:at] + f"See Also\n--------\ngilfree.{name}\n\n" + sections[at:]
    head, sep, examples = sections.partition("Examples\n--------\n")
    return (
        f"Await :func:`gilfree.{name}` without holding the event loop.\n\n"
        "Same arguments and result. Small work runs at once, larger work on\n"
        "gilfree.aio's threads; cancelling the await stops the native work.\n\n"
        + head
        + sep
        + _awaited_examples(examples, name)
    )


def _awaited_examples(text: str, name: str) -> str:
    """Doctest lines with each ``gilfree.<name>(...)`` call made
    ``asyncio.run(gilfree.aio.<name>(...))`` (and asyncio imported first)."""
    out: list[str] = []
    chunk: list[str] = []
    changed = False

    def flush() -> None:
        nonlocal changed
        if chunk:
            src = "\n".join(line[4:] for line in chunk)
            new = _await_calls(src, name)
            changed |= new != src
            out.extend(("... " if i else ">>> ") + line for i, line in enumerate(new.split("\n")))
            chunk.clear()

    for line in text.split("\n"):
        if line.startswith(">>> ") or (chunk and (line.startswith("... ") or line == "...")):
            if line.startswith(">>> "):
                flush()
            chunk.append(line)
        else:
            flush()
            out.append(line)
    flush()
    body = "\n".join(out)
    return (">>> import asyncio\n" + body) if changed and "import asyncio" not in body else body


def _await_calls(src: str, name: str) -> str:
    """src with every call ``gilfree.<name>(...)`` awaited through asyncio.run."""
    try:
        tree = _ast.parse(src)
    except SyntaxError:
        return src
    starts = [0]
    for line in src.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    edits: list[tuple[int, int, str]] = []  # (offset, characters replaced, new text)
    for node in _ast.walk(tree):
        f = node.func if isinstance(node, _ast.Call) else None
        if isinstance(f, _ast.Attribute) and f.attr == name and isinstance(f.value, _ast.Name):
            if f.value.id == "gilfree" and node.end_lineno is not None and node.end_col_offset is not None:
                call = starts[f.lineno - 1] + f.col_offset
                edits.append((call, len("gilfree."), "asyncio.run(gilfree.aio."))
                edits.append((starts[node.end_lineno - 1] + node.end_col_offset, 0, ")"))
    for at, n, text in sorted(edits, reverse=True):
        src = src[:at] + text + src[at + n :]
    return src


def _as_coroutine_function(fn: _Callable[..., _Any]) -> _Callable[..., _Any]:
    """What map calls: a gilfree kernel becomes its twin, a coroutine
    function is awaited as it is, any other callable runs on a thread."""
    name = getattr(fn, "__name__", None)
    if name is not None and _registry.KERNELS.get(name) is fn:
        return __getattr__(name)
    if _asyncio.iscoroutinefunction(fn):
        return fn
    return _functools.partial(run, fn)


async def map_unordered(
    fn: _Callable[..., _Any],
    /,
    *iterables: _Iterable[_Any],
    concurrency: int | None = None,
    progress: bool | str = False,
    **kwargs: _Any,
) -> _AsyncIterator[tuple[int, _Any]]:
    """Yield ``(index, fn(*items, **kwargs))`` as each call finishes.

    At most ``concurrency`` calls are in flight. Items are drawn lazily: at
    most ``concurrency`` tasks exist at a time, so memory does not grow with
    the number of items. If a call fails, the others are cancelled and the
    error raised. Closing the iterator early cancels the calls still running:
    ``async with contextlib.aclosing(...)`` closes it as the block ends (a
    plain ``break`` leaves that to the loop's asynchronous-generator
    finaliser).

    Parameters
    ----------
    fn : callable
        Called as given (a decorated function keeps its decorator). A gilfree
        kernel runs as its awaitable twin; a coroutine function is awaited;
        any other callable runs on gilfree.aio's threads.
    *iterables : iterable
        One item from each per call, as for the builtin ``map`` (their
        lengths must match).
    concurrency : int, optional
        Calls in flight at most (default: the number of CPUs).
    progress : bool or str
        A tqdm bar counting finished calls (a str is its description).
    **kwargs
        Passed to every call.

    Returns
    -------
    collections.abc.AsyncIterator
        An asynchronous iterator of ``(index, result)`` pairs: the position
        of the items in the input and the call's result.

    Raises
    ------
    ValueError
        If the iterables' lengths differ, or concurrency is not a count.
    TypeError
        If concurrency is not an int.
    Exception
        What a call raises (the others are cancelled).

    See Also
    --------
    map : The results as a list, in input order.
    run : One call.

    Examples
    --------
    >>> import asyncio, numpy as np, gilfree
    >>> async def main():
    ...     xs = [np.full(3, float(i)) for i in range(4)]
    ...     out = {}
    ...     async for i, v in gilfree.aio.map_unordered(gilfree.mse, xs, [np.zeros(3)] * 4):
    ...         out[i] = float(v)
    ...     return [out[i] for i in range(4)]
    >>> asyncio.run(main())
    [0.0, 1.0, 4.0, 9.0]
    """
    call = _as_coroutine_function(fn)
    limit = check_count(concurrency, "concurrency") if concurrency is not None else available_cpus()
    bar = _progress_bar(progress, iterables, fn)

    async def one(i: int, args: tuple[_Any, ...]) -> tuple[int, _Any]:
        return i, await call(*args, **kwargs)

    pending: set[_asyncio.Future[tuple[int, _Any]]] = set()
    items = enumerate(zip(*iterables, strict=True))
    try:
        while True:
            for i, args in items:
                pending.add(_asyncio.ensure_future(one(i, args)))
                if len(pending) >= limit:
                    break
            if not pending:
                return
            done, pending = await _asyncio.wait(pending, return_when=_asyncio.FIRST_COMPLETED)
            for t in done:
                result = t.result()
                if bar is not None:
                    bar.update(1)
                yield result
    finally:
        for t in pending:
            t.cancel()
        if pending:
            await _asyncio.gather(*pending, return_exceptions=True)
        if bar is not None:
            bar.close()


async def map(
    fn: _Callable[..., _Any],
    /,
    *iterables: _Iterable[_Any],
    concurrency: int | None = None,
    progress: bool | str = False,
    **kwargs: _Any,
) -> list[_Any]:
    """Await ``fn(*items, **kwargs)`` for each tuple of items, like the builtin ``map``.

    At most ``concurrency`` calls are in flight; results come back in input
    order. The behaviour is that of :func:`map_unordered`.

    Parameters
    ----------
    fn : callable
        A gilfree kernel (run as its awaitable twin), a coroutine function
        (awaited) or any other callable (run on gilfree.aio's threads).
    *iterables : iterable
        One item from each per call (their lengths must match).
    concurrency : int, optional
        Calls in flight at most (default: the number of CPUs).
    progress : bool or str
        A tqdm bar counting finished calls (a str is its description).
    **kwargs
        Passed to every call.

    Returns
    -------
    list
        The results, in the order of the items.

    Raises
    ------
    ValueError
        If the iterables' lengths differ, or concurrency is not a count.
    TypeError
        If concurrency is not an int.
    Exception
        What a call raises (the others are cancelled).

    See Also
    --------
    map_unordered : The results as they come.
    run : One call.

    Examples
    --------
    >>> import asyncio, numpy as np, gilfree
    >>> preds = [np.full(3, float(i)) for i in range(4)]
    >>> asyncio.run(gilfree.aio.map(gilfree.mse, preds, [np.zeros(3)] * 4))
    [np.float64(0.0), np.float64(1.0), np.float64(4.0), np.float64(9.0)]
    """
    results: dict[int, _Any] = {}
    async for i, value in map_unordered(fn, *iterables, concurrency=concurrency, progress=progress, **kwargs):
        results[i] = value
    return [results[i] for i in range(len(results))]


def _progress_bar(progress: bool | str, iterables: tuple[_Iterable[_Any], ...], fn: object) -> _Any:
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError as exc:  # pragma: no cover
        raise ImportError("progress=True needs tqdm: pip install tqdm") from exc
    sizes = [len(it) for it in iterables if hasattr(it, "__len__")]  # type: ignore[arg-type]
    desc = progress if isinstance(progress, str) else getattr(fn, "__name__", "calls")
    # the builtin: gilfree.aio.min, once made, is a global of this module
    return tqdm(total=_builtins.min(sizes) if sizes else None, desc=desc)


# One twin per kernel, made on first access: threads reaching a twin first together
# wait for one maker (ast.parse, which _twin_doc runs, is not thread-safe on CPython 3.11).
_TWINS_LOCK = _threading.Lock()


def __getattr__(name: str) -> _Any:
    fn = _registry.KERNELS.get(name)
    if fn is None:
        raise AttributeError(f"module 'gilfree.aio' has no attribute {name!r}")
    with _TWINS_LOCK:
        made = globals().get(name)
        if made is None:
            made = globals()[name] = _make_awaitable(fn)
    return made


def __dir__() -> list[str]:
    return sorted(set(__all__) | set(_registry.KERNELS))
