"""numpydoc's validator over every public callable: gilfree.__all__, every
awaitable twin gilfree.aio.<kernel>, and gilfree.aio's own functions; and
each twin's own Examples run (asyncio.run of the twin)."""

from __future__ import annotations

import doctest
import inspect

import gilfree
import pytest
from gilfree import _registry, aio

numpydoc_validate = pytest.importorskip("numpydoc.validate", reason="numpydoc is not installed")

# ES01: no extended summary needed; SA04: See Also entries need no
# description; RT02: return name style; GL01, GL02: summary placement.
IGNORED = {"ES01", "SA04", "RT02", "GL01", "GL02"}

PUBLIC = sorted(f"gilfree.{n}" for n in gilfree.__all__ if callable(getattr(gilfree, n)))
TWINS = sorted(f"gilfree.aio.{n}" for n in _registry.KERNELS)
AIO_OWN = sorted(f"gilfree.aio.{n}" for n in aio.__all__)
# the callables that check their arguments (and say what they raise)
NO_RAISES = {"gilfree.available_cpus", "gilfree.get_num_threads", "gilfree.show_config"}
NO_RAISES |= {"gilfree.aio.stats", "gilfree.aio.shutdown"}


def _resolve(name: str) -> object:
    obj: object = gilfree
    for part in name.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("name", PUBLIC + TWINS + AIO_OWN)
def test_numpydoc(name: str) -> None:
    result = numpydoc_validate.validate(name)
    errors = [f"{code}: {msg}" for code, msg in result["errors"] if code not in IGNORED]
    assert not errors, f"{name}:\n" + "\n".join(errors)


@pytest.mark.parametrize("name", PUBLIC + TWINS + AIO_OWN)
def test_raises_section(name: str) -> None:
    obj = _resolve(name)
    if name in NO_RAISES or inspect.isclass(obj):
        return
    assert "\nRaises\n------\n" in inspect.cleandoc(obj.__doc__ or ""), f"{name} has no Raises section"


@pytest.mark.parametrize("name", TWINS)
def test_twin_examples_await_the_twin(name: str) -> None:
    twin = _resolve(name)
    doc = inspect.cleandoc(twin.__doc__ or "")
    assert f"asyncio.run({name}(" in doc, f"{name}'s examples do not await it"
    tests = doctest.DocTestFinder().find(twin, name, globs={})
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
