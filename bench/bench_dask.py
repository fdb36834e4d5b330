"""gilfree.dask on a dask.distributed LocalCluster (127.0.0.1), in one run.

1. An 8192x8192 float32 image convolved with a 7x7 kernel: gilfree.dask
   against dask-image's ndfilters.convolve (same zero padding), two worker
   processes with one thread each, timed in interleaved rounds.
2. Worker scaling: one worker with 1 and with 2 threads, beside the
   machine's ceiling for the same kernel (gilfree in memory on 1 and 2
   threads).
3. A loss and a reduction over a lazily generated array 3x a worker's
   memory_limit, with the peak resident memory of each worker.

    python bench/bench_dask.py [--quick]

Writes bench/results/dask.json and bench/results/dask.md (dask-quick.* with
--quick) and, for a full run, the README section between <!-- dask --> markers.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from pathlib import Path

import dask.array as da
import dask_image.ndfilters as dndi
import numpy as np
import psutil
from distributed import Client, LocalCluster, wait

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gilfree  # noqa: E402
import gilfree.dask as gd  # noqa: E402
from _timing import fmt_time, interleaved, save, update_readme_section  # noqa: E402

COMMAND = "python bench/bench_dask.py"


def cluster(workers, threads, **kw):
    lc = LocalCluster(
        n_workers=workers,
        threads_per_worker=threads,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        **kw,
    )
    return lc, Client(lc)


def run(client, arr):
    """Computes arr on the cluster and keeps the result there (no transfer)."""
    out = client.persist(arr)
    wait(out)
    del out


def conv_vs_dask_image(n, chunk, rounds):
    lc, client = cluster(2, 1)
    with lc, client:
        img = client.persist(da.random.default_rng(0).random((n, n), chunks=chunk, dtype=np.float32))
        wait(img)
        k = np.random.default_rng(1).random((7, 7)).astype(np.float32)
        ours = gd.convolve2d(img, k, mode="same", boundary="fill")
        theirs = dndi.convolve(img, k, mode="constant", cval=0.0)
        corner = (slice(0, 300), slice(chunk - 150, chunk + 150))  # across a block border
        np.testing.assert_allclose(ours[corner].compute(), theirs[corner].compute(), rtol=1e-4, atol=1e-4)
        t = interleaved(
            {"gilfree": lambda: run(client, ours), "dask-image": lambda: run(client, theirs)},
            rounds=rounds,
            pause=0.2,
        )
    return {k: min(v) for k, v in t.items()}, {k: float(np.median(v)) for k, v in t.items()}


def scaling(n, chunk, rounds):
    k = np.random.default_rng(1).random((7, 7)).astype(np.float32)
    clusters = {t: cluster(1, t) for t in (1, 2)}
    fns = {}
    try:
        for t, (_, client) in clusters.items():
            img = client.persist(da.random.default_rng(0).random((n, n), chunks=chunk, dtype=np.float32))
            wait(img)
            out = gd.convolve2d(img, k, mode="same")
            fns[f"{t} thread(s) per worker"] = lambda c=client, a=out: run(c, a)
        local = np.random.default_rng(0).random((n, n), dtype=np.float32)

        def in_memory(t):
            with gilfree.threads(t):
                gilfree.convolve2d(local, k, mode="same")

        fns["in memory, 1 thread"] = lambda: in_memory(1)
        fns["in memory, 2 threads"] = lambda: in_memory(2)
        t = interleaved(fns, rounds=rounds, pause=0.2)
    finally:
        for lc, client in clusters.values():
            client.close()
            lc.close()
    return {k: min(v) for k, v in t.items()}


def _peak_sampler(dask_worker):
    """Run in each worker: records the process's peak RSS every 20 ms."""
    proc = psutil.Process()
    state = dask_worker._gilfree_bench_peak = {"peak": proc.memory_info().rss, "stop": False}

    def loop():
        while not state["stop"]:
            state["peak"] = max(state["peak"], proc.memory_info().rss)
            time.sleep(0.02)

    threading.Thread(target=loop, daemon=True).start()


def _peak_read(dask_worker):
    state = dask_worker._gilfree_bench_peak
    state["stop"] = True
    return state["peak"]


def streaming(nbytes, limit):
    n = nbytes // 4
    rows = 8192
    cols = n // rows
    lc, client = cluster(2, 1, memory_limit=limit)
    rows_out = []
    with lc, client:
        for name, make in (
            ("mse(x, y)", lambda x, y: gd.mse(x, y)),
            ("var(x, axis=0)", lambda x, y: gd.var(x, axis=0)),
        ):
            x = da.random.default_rng(2).standard_normal(
                (rows, cols), chunks=(1024, cols // 8), dtype=np.float32
            )
            y = da.random.default_rng(3).standard_normal(
                (rows, cols), chunks=(1024, cols // 8), dtype=np.float32
            )
            client.run(_peak_sampler)
            t0 = time.perf_counter()
            result = client.compute(make(x, y), sync=True)
            dt = time.perf_counter() - t0
            peaks = client.run(_peak_read)
            rows_out.append(
                {
                    "case": name,
                    "array_gib": x.nbytes / 2**30,
                    "memory_limit": limit,
                    "seconds": dt,
                    "peak_worker_rss_gib": max(peaks.values()) / 2**30,
                    "result_head": float(np.ravel(result)[0]),
                }
            )
    return rows_out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes, one round")
    args = p.parse_args(argv)
    logging.getLogger("distributed").setLevel(logging.ERROR)
    n, chunk, rounds = (2048, 512, 2) if args.quick else (8192, 2048, 5)
    nbytes, limit = (512 * 2**20, "256MiB") if args.quick else (3 * 2**30, "1GiB")
    load0 = os.getloadavg()[0]

    best, median = conv_vs_dask_image(n, chunk, rounds)
    scale = scaling(n, chunk, rounds)
    stream = streaming(nbytes, limit)

    ratio = best["dask-image"] / best["gilfree"]
    r_med = median["dask-image"] / median["gilfree"]
    s_dask = scale["1 thread(s) per worker"] / scale["2 thread(s) per worker"]
    s_mem = scale["in memory, 1 thread"] / scale["in memory, 2 threads"]
    lines = [
        f"Measured by `{COMMAND}`{' --quick' if args.quick else ''} on {os.cpu_count()} CPUs "
        f"(load average before the run {load0:.2f}); best of {rounds} interleaved rounds.",
        "",
        f"| {n}x{n} float32, 7x7 kernel, chunks {chunk}x{chunk}, 2 workers x 1 thread | time | vs gilfree.dask |",
        "|---|---:|---:|",
        f'| `gilfree.dask.convolve2d(mode="same")` | {fmt_time(best["gilfree"])} | 1.00x |',
        f'| `dask_image.ndfilters.convolve(mode="constant")` | {fmt_time(best["dask-image"])} | '
        f"{ratio:.2f}x slower (median {r_med:.2f}x; target >= 3x: {'met' if ratio >= 3 else 'not met'}) |",
        "",
        "| worker scaling, same convolution | time | speed-up 1 -> 2 threads |",
        "|---|---:|---:|",
        f"| 1 worker x 1 thread | {fmt_time(scale['1 thread(s) per worker'])} | |",
        f"| 1 worker x 2 threads | {fmt_time(scale['2 thread(s) per worker'])} | {s_dask:.2f}x |",
        f"| ceiling: gilfree in memory, 1 -> 2 threads | {fmt_time(scale['in memory, 1 thread'])} -> "
        f"{fmt_time(scale['in memory, 2 threads'])} | {s_mem:.2f}x |",
        "",
        "| streaming (2 workers x 1 thread) | array | worker memory_limit | time | peak worker RSS |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in stream:
        lines.append(
            f"| `gilfree.dask.{r['case']}`, float32 generated lazily by `da.random` | "
            f"{r['array_gib']:.2f} GiB | {r['memory_limit']} | {r['seconds']:.1f} s | "
            f"{r['peak_worker_rss_gib']:.2f} GiB |"
        )
    md = "\n".join(lines) + "\n"
    print(md)
    rows = [
        {"case": "conv vs dask-image", "best_s": best, "median_s": median, "ratio": ratio},
        {"case": "scaling", "best_s": scale, "dask_speedup": s_dask, "in_memory_speedup": s_mem},
        *stream,
    ]
    name = "dask-quick" if args.quick else "dask"
    save(name, rows, COMMAND + (" --quick" if args.quick else ""), md, load_average_before=load0)
    if not args.quick:
        update_readme_section("dask", md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
