"""Experiment 3 of bench/showcase.py: asyncio.

* gather: k awaited ``gilfree.aio.log_cosh(..., return_grad=True)`` calls
  gathered, against the same k calls made one after another, synchronously
  (k = 1..16); both use gilfree's whole compute pool;
* heartbeat: the event loop's 1 ms heartbeat (gilfree._demo.heartbeat) over
  time while a coroutine makes the same calls blocking (sync calls inside
  the coroutine) and offloaded (awaited through gilfree.aio).
"""

from __future__ import annotations

import asyncio
import time

import gilfree
import numpy as np
from _timing import interleaved
from bench_aio import _stats
from gilfree._demo import heartbeat


def gather_vs_sequential(n: int, ks: list[int], rounds: int) -> list[dict]:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=n), rng.normal(size=n)
    loop = asyncio.new_event_loop()
    rows = []
    try:
        for k in ks:

            def sequential(k=k):
                for _ in range(k):
                    gilfree.log_cosh(a, b, return_grad=True)

            async def gathered(k=k):
                await asyncio.gather(*(gilfree.aio.log_cosh(a, b, return_grad=True) for _ in range(k)))

            s = interleaved(
                {"sequential": sequential, "gather": lambda g=gathered: loop.run_until_complete(g())},
                rounds=rounds,
            )
            t_seq, t_gat = min(s["sequential"]), min(s["gather"])
            rows.append({"k": k, "sequential_s": t_seq, "gather_s": t_gat, "speedup": t_seq / t_gat})
    finally:
        loop.close()
    return rows


async def _trace(work, seconds: float) -> tuple[list[float], list[float], int]:
    """(times since start, gaps) of the heartbeat, both in seconds, while
    `work()` is called again and again for `seconds`; and the calls made."""
    gaps: list[float] = []
    stop = asyncio.Event()
    hb = asyncio.create_task(heartbeat(gaps, stop))
    await asyncio.sleep(0.05)
    gaps.clear()
    t0, calls = time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        await work()
        calls += 1
    stop.set()
    await hb
    return np.cumsum(gaps).tolist(), gaps, calls


def heartbeat_series(n: int, seconds: float) -> dict:
    a = np.random.default_rng(4).normal(size=n)
    b = a[::-1].copy()

    async def blocking():
        gilfree.log_cosh(a, b, return_grad=True)
        await asyncio.sleep(0)

    async def offloaded():
        await gilfree.aio.log_cosh(a, b, return_grad=True)

    t0 = time.perf_counter()
    gilfree.log_cosh(a, b, return_grad=True)
    call_s = time.perf_counter() - t0
    out = {"n": n, "call_s": call_s, "series": {}}
    for label, work in (
        ("blocking (sync call in the coroutine)", blocking),
        ("offloaded (gilfree.aio)", offloaded),
    ):
        times, gaps, calls = asyncio.run(_trace(work, seconds))
        out["series"][label] = {
            "t_s": times,
            "gap_ms": [g * 1e3 for g in gaps],
            "calls": calls,
            **_stats(gaps),
        }
    return out


def run(quick: bool, smoke: bool, tick) -> dict:
    n = 10**4 if smoke else (10**6 if quick else 4 * 10**6)
    ks = [1, 2, 4] if smoke else [1, 2, 4, 8, 16]
    rounds = 2 if smoke else (5 if quick else 9)
    gather = gather_vs_sequential(n, ks, rounds)
    tick()
    beat = heartbeat_series(n, 0.2 if smoke else (2.0 if quick else 5.0))
    tick()
    return {"n": n, "gather": gather, "heartbeat": beat}
