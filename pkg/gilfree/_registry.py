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
    fast: Callable[..., Any], *prefix: object, suffix: tuple[object, ...] = ()
) -> Callable[[F], F]:
    """Decorator: ``fn(*args)`` with only its positional-or-keyword parameters
    without a default given, and no keywords, is first offered to the binding's
    common-call entry, ``fast(*prefix, *args, *suffix)``, which returns the
    result or None (then fn, the general path, takes the call). `suffix`
    carries fn's own defaults, so the two paths read one signature."""

    def wrap(fn: F) -> F:
        params = inspect.signature(fn).parameters.values()
        nargs = sum(p.default is inspect.Parameter.empty for p in params)
        return cast(F, CommonCall(fn, fast, prefix, nargs, suffix))

    return wrap
