import inspect
import threading

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


def pytest_collection_modifyitems(config, items):
    # pytest-run-parallel wraps a test function in a plain function that calls
    # it in threads: a coroutine test would then never be awaited.
    for item in items:
        if inspect.iscoroutinefunction(getattr(item, "obj", None)):
            item.add_marker(pytest.mark.thread_unsafe(reason="an asyncio test (run by pytest-asyncio's loop)"))
