"""Experiment 2 of bench/showcase.py: GIL-releasing against GIL-holding
threads, on one typed loop (bench/showcase_ext/typed_loop.pyx) compiled into
a ``nogil`` and a GIL-holding function, and the same loop in pure Python.

* scaling: t threads (1..N) each run the loop once at the same moment;
  throughput relative to one thread (weak scaling);
* asyncio: N ``asyncio.to_thread`` calls gathered, nogil build against the
  GIL-holding one;
* speed: the nogil loop against the pure-Python loop (one thread), and the
  fused float64 / float32 specialisations against the same polynomial
  vectorised with NumPy (one pass over 1e6 elements);
* the machine's ceiling: a cache-resident matrix product per thread
  (bench/bench_scaling.py's compute probe), what the cores allow.
"""

from __future__ import annotations

import asyncio
import threading

import numpy as np
from _timing import interleaved
from bench_scaling import Probes
from showcase_ext.build import load

LOOP_N = 4096  # elements of the scaling loop: 32 KiB, cache-resident, compute-bound


def py_poly_sum(xs: list[float], reps: int) -> float:
    """The typed loop's polynomial, in pure Python."""
    acc = 0.0
    for _ in range(reps):
        for x in xs:
            acc += ((((((-0.00390625 * x + 0.0078125) * x - 0.015625) * x + 0.03125) * x - 0.0625) * x + 0.125)
                    * x - 0.25) * x + 0.5  # fmt: skip
    return acc


def np_poly_sum(x: np.ndarray, coeffs) -> float:
    """The polynomial vectorised with NumPy (Horner, one array op per step)."""
    acc = np.full_like(x, coeffs[-1])
    for c in coeffs[-2::-1]:
        acc = acc * x + c
    return float(acc.sum(dtype=np.float64))


def on_threads(fn, t: int):
    """A call that runs fn() on t threads started together, and joins them."""

    def run():
        go = threading.Barrier(t)
        ths = [threading.Thread(target=lambda: (go.wait(), fn())) for _ in range(t)]
        for th in ths:
            th.start()
        for th in ths:
            th.join()

    return run


def scaling(fns: dict, nt: int, rounds: int) -> dict[str, list[dict]]:
    """Per function, per thread count: seconds and throughput over one thread."""
    calls = {f"{name}@{t}": on_threads(fn, t) for name, fn in fns.items() for t in range(1, nt + 1)}
    best = {k: min(v) for k, v in interleaved(calls, rounds=rounds, min_time=0).items()}
    out = {}
    for name in fns:
        t1 = best[f"{name}@1"]
        out[name] = [
            {"threads": t, "seconds": best[f"{name}@{t}"], "speedup": t * t1 / best[f"{name}@{t}"]}
            for t in range(1, nt + 1)
        ]
    return out


def run(nt: int, quick: bool, smoke: bool, tick) -> dict:
    mod = load()
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, LOOP_N)
    xs = x.tolist()
    reps = 20 if smoke else (2000 if quick else 8000)  # ~40 / 160 ms per call on one core
    py_reps = max(1, reps // 200)
    rounds = 3 if smoke else (5 if quick else 9)
    probes = Probes(1000, nt, rng)
    one, all_ = probes.compute()
    c = interleaved({"one": one, "all": all_}, rounds=rounds)
    ceiling = min(c["one"]) / min(c["all"])
    tick()
    res = scaling(
        {
            "nogil": lambda: mod.poly_sum_nogil(x, reps),
            "gil": lambda: mod.poly_sum_gil(x, reps),
            "pure Python": lambda: py_poly_sum(xs, py_reps),
        },
        nt,
        rounds,
    )
    tick()

    def gathered(fn):
        async def main():
            await asyncio.gather(*(asyncio.to_thread(fn, x, reps) for _ in range(nt)))

        return lambda: asyncio.run(main())

    a = interleaved({"nogil": gathered(mod.poly_sum_nogil), "gil": gathered(mod.poly_sum_gil)}, rounds=rounds)
    asyncio_ratio = min(a["gil"]) / min(a["nogil"])
    per_elem = {
        k: v[0]["seconds"] / (r * LOOP_N)
        for (k, v), r in zip(res.items(), (reps, reps, py_reps), strict=True)
    }
    big = rng.uniform(-1, 1, 10**4 if smoke else 10**6)
    big32 = big.astype(np.float32)
    coeffs = mod.COEFFS
    f = interleaved(
        {
            "fused f64": lambda: mod.poly_sum_nogil(big),
            "numpy f64": lambda: np_poly_sum(big, coeffs),
            "fused f32": lambda: mod.poly_sum_nogil(big32),
            "numpy f32": lambda: np_poly_sum(big32, coeffs),
        },
        rounds=rounds,
    )
    f = {k: min(v) for k, v in f.items()}
    tick()
    return {
        "loop_elements": LOOP_N,
        "reps": {"nogil": reps, "gil": reps, "pure Python": py_reps},
        "threads": nt,
        "machine_ceiling": ceiling,
        "scaling": res,
        "asyncio_gather": {"tasks": nt, "gil_over_nogil": asyncio_ratio},
        "seconds_per_element": per_elem,
        "nogil_over_python": per_elem["pure Python"] / per_elem["nogil"],
        "fused_vs_numpy": {
            "n": len(big),
            "seconds": f,
            "float64": f["numpy f64"] / f["fused f64"],
            "float32": f["numpy f32"] / f["fused f32"],
        },
        "same_result": bool(np.isclose(mod.poly_sum_nogil(x, 1), py_poly_sum(xs, 1), rtol=1e-12))
        and bool(np.isclose(mod.poly_sum_nogil(big), np_poly_sum(big, coeffs), rtol=1e-9)),
    }
