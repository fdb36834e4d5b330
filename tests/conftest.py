import gilfree
import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(autouse=True)
def _restore_threads():
    n = gilfree.get_num_threads()
    yield
    gilfree.set_num_threads(n)
