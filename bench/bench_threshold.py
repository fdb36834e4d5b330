"""Measures where running a kernel on the pool starts to pay: for growing n,
one thread (inline) against all threads with the inline threshold disabled.

    .venv/bin/python bench/bench_threshold.py

The kernels pass a work estimate (elements x a per-loss cost, an mse element
= 1) to the runtime; work below the threshold runs inline on the calling
thread. This prints the crossover per loss and the threshold it suggests;
results go to bench/results/threshold.{json,md}.
"""

from __future__ import annotations

import sys

import gilfree
import numpy as np
from gilfree._cyx import _runtime as rt

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _timing import best_time, save  # noqa: E402

COST = {"mse": 1, "poisson_nll": 4, "log_cosh": 8, "cross_entropy": 4}


def main() -> None:
    threads = gilfree.available_cpus()
    rng = np.random.default_rng(0)
    old = rt.get_parallel_threshold()
    rows, lines = [], [f"| loss | n | 1 thread | {threads} threads | ratio |", "|---|---|---|---|---|"]
    crossover = {}
    try:
        rt.set_parallel_threshold(0)
        for name in COST:
            for n in [2**k for k in range(11, 21)]:
                if name == "cross_entropy":
                    x, y = rng.normal(size=(n // 64, 64)), rng.integers(0, 64, size=n // 64)
                else:
                    x, y = rng.normal(size=n), rng.uniform(size=n)
                fn = getattr(gilfree, name)
                with gilfree.threads(1):
                    t1 = best_time(lambda: fn(x, y), min_time=0.02)
                with gilfree.threads(threads):
                    tn = best_time(lambda: fn(x, y), min_time=0.02)
                rows.append({"loss": name, "n": n, "t1": t1, "tn": tn})
                lines.append(f"| {name} | {n} | {t1 * 1e6:.1f} µs | {tn * 1e6:.1f} µs | {t1 / tn:.2f} |")
                print(lines[-1], flush=True)
                if name not in crossover and tn < 0.9 * t1:
                    crossover[name] = n
    finally:
        rt.set_parallel_threshold(old)
    lines.append("")
    for name, n in crossover.items():
        lines.append(f"- {name}: all threads first >10% faster at n = {n} (work estimate {n * COST[name]})")
    lines.append(f"- threshold in use: {old} (work units; an mse element = 1)")
    md = "\n".join(lines) + "\n"
    save("threshold", rows, ".venv/bin/python bench/bench_threshold.py", md)
    print(md)


if __name__ == "__main__":
    main()
