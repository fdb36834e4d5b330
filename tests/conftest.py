import functools
import inspect
import threading
import types

import gilfree
import numpy as np
import pytest

SEED = 12345


class _PerThreadGenerator:
    """``np.random.default_rng(SEED)``, one per thread.

    pytest-run-parallel (``--parallel-threads``) computes a fixture once and
    hands the same value to every thread running the test: one shared
    Generator would give each thread different numbers, depending on the
    scheduling. Here each thread draws the numbers a serial run draws.
    """

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._local = threading.local()

    def _generator(self) -> np.random.Generator:
        gen = getattr(self._local, "gen", None)
        if gen is None:
            gen = self._local.gen = np.random.default_rng(self._seed)
        return gen

    def __getattr__(self, name):
        return getattr(self._generator(), name)

    def __repr__(self) -> str:
        return f"default_rng({self._seed}) per thread"


@pytest.fixture
def rng():
    return _PerThreadGenerator(SEED)


@pytest.fixture(autouse=True)
def _restore_threads():
    n = gilfree.get_num_threads()
    yield
    gilfree.set_num_threads(n)


def _warning_fails(fn):
    """fn, with a warning raised as an error (filterwarnings "error") turned
    into a test failure: pytest-run-parallel's threads drop a raised Warning
    and the test would pass. The wrapper shares fn's globals, which the
    plugin reads to detect thread-unsafe calls (warnings.catch_warnings)."""
    fail = pytest.fail

    def test(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Warning as w:
            fail(f"{type(w).__name__} raised as an error: {w}")

    test = types.FunctionType(test.__code__, fn.__globals__, fn.__name__, None, test.__closure__)
    return functools.update_wrapper(test, fn)


def pytest_collection_modifyitems(config, items):
    parallel = str(config.getoption("parallel_threads", default=1)) != "1"
    for item in items:
        obj = getattr(item, "obj", None)
        if inspect.iscoroutinefunction(obj):
            # pytest-run-parallel calls the test function in plain threads:
            # the coroutine would never be awaited.
            item.add_marker(
                pytest.mark.thread_unsafe(reason="an asyncio test (run by pytest-asyncio's loop)")
            )
        elif parallel and inspect.isfunction(obj):
            item.obj = _warning_fails(obj)
