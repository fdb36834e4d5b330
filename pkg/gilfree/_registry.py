"""The list of public kernels: every family registers its functions here, and
gilfree.aio builds one awaitable per entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

KERNELS: dict[str, Callable[..., Any]] = {}


def kernel(fn: F) -> F:
    """Registers a public kernel (its awaitable twin appears in gilfree.aio)."""
    KERNELS[fn.__name__] = fn
    return fn
