"""A 2-thread call after the pool has been idle: does the second core help?

A service calls a kernel now and then, not back to back. Between calls the
pool's workers sleep; the first call after a gap wakes one. On this project's
2-vCPU VM the scheduler used to place the woken worker on the caller's own
CPU, and the two then time-shared one core for the whole call: after a 20 ms
gap a 2-thread call took as long as a 1-thread one. The runtime now moves such
a helper off the caller's CPU (kernels/runtime.cpp, OffCallerCpu).

For each gap (0: back to back) and size, the median wall time of
`gilfree.logsumexp(m, axis=-1)` on 1 and on 2 threads, each call after
`time.sleep(gap)`; speed-up = 1-thread / 2-thread median. Writes
bench/results/idle.json and bench/results/idle.md.

    python bench/bench_idle.py            # 25 calls per cell
    python bench/bench_idle.py --quick    # 5 calls per cell, a smoke test
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import gilfree
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _timing import machine  # noqa: E402

GAPS_MS = (0, 2, 5, 20, 100)
ROWS = (1000, 4000)


def median_ms(m: np.ndarray, threads: int, gap: float, calls: int) -> float:
    out = []
    with gilfree.threads(threads):
        gilfree.logsumexp(m, axis=-1)  # warm-up
        for _ in range(calls):
            if gap:
                time.sleep(gap)
            t0 = time.perf_counter()
            gilfree.logsumexp(m, axis=-1)
            out.append(time.perf_counter() - t0)
    return statistics.median(out) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    calls = 5 if args.quick else 25
    rng = np.random.default_rng(0)
    rows = []
    for r in ROWS:
        m = rng.standard_normal((r, 1000))
        for gap_ms in GAPS_MS:
            one = median_ms(m, 1, gap_ms / 1e3, calls)
            two = median_ms(m, 2, gap_ms / 1e3, calls)
            rows.append({"rows": r, "gap_ms": gap_ms, "t1_ms": one, "t2_ms": two, "speedup": one / two})
            print(f"logsumexp {r}x1000  gap {gap_ms:3d} ms  1 thread {one:6.2f} ms  2 threads {two:6.2f} ms"
                  f"  speed-up {one / two:.2f}x", flush=True)
    lines = [
        "| case | gap before each call | 1 thread (median) | 2 threads (median) | speed-up |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(f"| logsumexp {row['rows']}x1000 axis=-1 | {row['gap_ms']} ms | {row['t1_ms']:.2f} ms"
                     f" | {row['t2_ms']:.2f} ms | {row['speedup']:.2f}x |")
    lines.append("")
    lines.append(f"Median of {calls} calls per cell, each after `time.sleep(gap)`. "
                 "Reproduce: `python bench/bench_idle.py`.")
    suffix = "-quick" if args.quick else ""
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"idle{suffix}.md").write_text("\n".join(lines) + "\n")
    (out / f"idle{suffix}.json").write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1))
    print(f"wrote {out / f'idle{suffix}.md'}")


if __name__ == "__main__":
    main()
