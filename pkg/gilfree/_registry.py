"""The list of public kernels: every family registers its functions here, and
gilfree.aio builds one awaitable per entry. A kernel's common call (plain
arrays, every option at its default) can be taken whole by its binding."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ._cyx._runtime import CommonCall

F = TypeVar("F", bound=Callable[..., Any])

KERNELS: dict[str, Callable[..., Any]] = {}


def kernel(fn: F) -> F:
    """Registers a public kernel (its awaitable twin appears in gilfree.aio)."""
    KERNELS[fn.__name__] = fn
    return fn


def common_call(
    fast: Callable[..., Any], *prefix: object, suffix: tuple[object, ...] = (), keywords: tuple[str, ...] = ()
) -> Callable[[F], F]:
    """Decorator: ``fn(*args)`` with only its positional-or-keyword parameters
    without a default given, and no keywords, is first offered to the binding's
    common-call entry, ``fast(*prefix, *args, *suffix)``, which returns the
    result or None (then fn, the general path, takes the call). `suffix`
    carries fn's own defaults, so the two paths read one signature. A call
    whose keywords are all among `keywords` (parameters of both fn and fast)
    is offered as ``fast(*prefix, *args, *suffix, **kwargs)``."""

    def wrap(fn: F) -> F:
        params = inspect.signature(fn).parameters
        nargs = sum(p.default is inspect.Parameter.empty for p in params.values())
        missing = [k for k in keywords if k not in params]
        if missing:
            raise TypeError(f"keywords: {missing} are not parameters of {fn.__qualname__}")
        return cast(F, CommonCall(fn, fast, prefix, nargs, suffix, keywords))

    return wrap
