"""Shared timing helpers of the benchmarks: best-of-repeats wall time, a
Markdown table writer, and the machine description stored with results."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def best_time(fn: Callable[[], object], *, min_time: float = 0.05, repeats: int = 5) -> float:
    """Best-of-`repeats` seconds per call, each repeat running >= min_time."""
    fn()  # warm-up (allocations, pool start)
    loops, t = 1, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(loops):
            fn()
        t = time.perf_counter() - t0
        if t >= min_time or loops >= 1 << 20:
            break
        loops *= 2 if t == 0 else max(2, int(min_time / t) + 1)
    best = t / loops
    for _ in range(repeats - 1):
        t0 = time.perf_counter()
        for _ in range(loops):
            fn()
        best = min(best, (time.perf_counter() - t0) / loops)
    return best


def interleaved(
    fns: dict[str, Callable[[], object]],
    *,
    rounds: int = 11,
    pause: float = 0.02,
    min_time: float = 0.005,
) -> dict[str, list[float]]:
    """Seconds per call of each of `fns`, sampled in `rounds` rounds that run
    every function in turn.

    A shared VM's speed drifts with its neighbours' load; timing the
    candidates in alternation exposes all of them to the same drift, so the
    best (or median) of each is comparable, unlike best-of-N runs taken one
    candidate after another. `pause` lets the previous call's threads settle.
    A sample is one call, or for calls shorter than `min_time` the mean of
    back-to-back calls lasting about `min_time`, so small cases are timed
    with warm caches, as they run in a loop, not after every pause.
    """
    loops = {}
    for k, fn in fns.items():
        t0 = time.perf_counter()
        fn()  # warm-up, and a first estimate of the call's length
        t = time.perf_counter() - t0
        loops[k] = max(1, min(10_000, int(min_time / max(t, 1e-9))))
    samples: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            time.sleep(pause)
            n = loops[k]
            if n > 1:
                fn()  # untimed: brings the operands back into cache after the pause
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            samples[k].append((time.perf_counter() - t0) / n)
    return samples


def machine() -> dict[str, object]:
    import gilfree

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "gilfree": gilfree.show_config(as_dict=True),
    }


def save(name: str, rows: list[dict], command: str, markdown: str, **extra: object) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(
        json.dumps({"command": command, "machine": machine(), "rows": rows, **extra}, indent=1)
    )
    (RESULTS / f"{name}.md").write_text(markdown)


def update_readme_section(name: str, body: str) -> bool:
    """Replaces the README text between ``<!-- name -->`` and ``<!-- /name -->``
    with `body`; False (README untouched) when the markers are missing."""
    readme = Path(__file__).resolve().parents[1] / "README.md"
    text = readme.read_text()
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    if start not in text or end not in text:
        return False
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(head + start + "\n" + body.rstrip("\n") + "\n" + end + tail)
    return True


def fmt_time(t: float | None) -> str:
    if t is None:
        return "—"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if float(f"{t / scale:.3g}") >= 1:  # the unit after rounding: 999.6 ns is "1 µs"
            return f"{t / scale:.3g} {unit}"
    return f"{t * 1e9:.3g} ns"
