"""Misuse of gilfree's loops, runtime and aio: each line ending in
"# error" must be reported by mypy --strict and by pyright, and no other
(tests/test_typing.py). Never run."""

from __future__ import annotations

import gilfree
import numpy as np

a = np.ones(3)

gilfree.sum(a, axis="0")  # error
gilfree.mean(a, keepdims="yes")  # error
gilfree.var(a, ddof="1")  # error
total: float = gilfree.sum(a, axis=0)  # error
probs: float = gilfree.softmax(a)  # error
gilfree.histogram(a, range=(0.0, "1"))  # error
gilfree.clip(a, 0, 1, out=[0.0])  # error
gilfree.set_num_threads("4")  # error
gilfree.threads(2.5)  # error
config: dict[str, object] = gilfree.show_config()  # error
gilfree.sum(a, axis=[0])  # error
gilfree.argmax(a, axis=(0,))  # error
gilfree.argmax(a, 0, None, True)  # error
gilfree.mean(a, out=[0.0])  # error
gilfree.convolve(a, a, out=[0.0])  # error


async def main() -> None:
    await gilfree.aio.mse(a)  # error
    await gilfree.aio.sum()  # error
    _ = gilfree.aio.nonexistent  # error
    await gilfree.aio.run(gilfree.dot, a)  # error
    (await gilfree.aio.softmax(a)).no_such_method()  # error
    gilfree.aio.sum(a).tolist()  # error
    gilfree.aio.set_limits(max_in_flight="4")  # error
