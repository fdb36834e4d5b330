"""Streaming reductions at n = 1e7 float64 against numba, NumPy and the
memory ceiling (issue #14), measured in one process with interleaved rounds.

For each kernel, in the same rounds and at 1 and 2 threads:

* gilfree (``gilfree.threads(t)``);
* numba: ``@njit(parallel=True, fastmath=True, nogil=True)`` prange loops
  written here (``numba.set_num_threads(t)``), compile time excluded;
* NumPy (one thread whatever t: NumPy's reductions do not thread);
* ceiling: ``np.sum`` over the same number of bytes, on one thread and split
  over t threads (as bench/bench_scaling.py measures the memory ceiling).

Results of gilfree and numba are checked against NumPy first (to rounding).
Printed per kernel and thread count: the median and best seconds of each,
and the ratios numba / gilfree, NumPy / gilfree and ceiling / gilfree (> 1:
gilfree faster; ceiling / gilfree is at most ~1), with the load average.
A run of every kernel at n = 1e7 on 1 and 2 threads is also written to
bench/results/stream.{json,md} (a partial run is printed only).

    .venv/bin/python bench/bench_stream.py                  # all kernels, 15 rounds
    .venv/bin/python bench/bench_stream.py --only mse var --rounds 31
    .venv/bin/python bench/bench_stream.py --n 1000         # other sizes
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# NumPy's BLAS threads (np.dot) and numba's OpenMP threads otherwise spin on the cores for a
# while after each call, starving gilfree's lower-priority workers in the next timing: sleep
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gilfree  # noqa: E402
from _timing import interleaved  # noqa: E402


def numba_kernels() -> dict[str, object]:
    import numba
    from numba import njit, prange

    opts = {"parallel": True, "fastmath": True, "nogil": True, "cache": False}

    @njit(**opts)
    def sq(a, b):
        s = 0.0
        for i in prange(a.size):
            d = a[i] - b[i]
            s += d * d
        return s

    @njit(**opts)
    def ab(a, b):
        s = 0.0
        for i in prange(a.size):
            s += abs(a[i] - b[i])
        return s

    @njit(**opts)
    def sm(a):
        s = 0.0
        for i in prange(a.size):
            s += a[i]
        return s

    @njit(**opts)
    def dt(a, b):
        s = 0.0
        for i in prange(a.size):
            s += a[i] * b[i]
        return s

    @njit(**opts)
    def ss(a):
        s = 0.0
        for i in prange(a.size):
            s += a[i] * a[i]
        return s

    @njit(**opts)
    def var(a):  # one pass, shifted by the first element
        k = a[0]
        s1 = 0.0
        s2 = 0.0
        for i in prange(a.size):
            d = a[i] - k
            s1 += d
            s2 += d * d
        n = a.size
        return (s2 - s1 * s1 / n) / n

    @njit(**opts)
    def mn(a):
        m = np.inf
        for i in prange(a.size):
            m = min(m, a[i])
        return m

    @njit(**opts)
    def mx(a):
        m = -np.inf
        for i in prange(a.size):
            m = max(m, a[i])
        return m

    @njit(**opts)
    def arg(a, sign):  # argmin (sign=1) / argmax (sign=-1): per-thread chunks, then in order
        nt = numba.get_num_threads()
        n = a.size
        bv = np.empty(nt)
        bi = np.empty(nt, np.int64)
        for t in prange(nt):
            lo = n * t // nt
            hi = n * (t + 1) // nt
            best = sign * a[lo]
            idx = lo
            for i in range(lo + 1, hi):
                v = sign * a[i]
                if v < best:
                    best = v
                    idx = i
            bv[t] = best
            bi[t] = idx
        r = 0
        for t in range(1, nt):
            if bv[t] < bv[r]:
                r = t
        return bi[r]

    return {
        "set_threads": numba.set_num_threads,
        "mse": lambda a, b: sq(a, b) / a.size,
        "mae": lambda a, b: ab(a, b) / a.size,
        "sum": lambda a, b: sm(a),
        "mean": lambda a, b: sm(a) / a.size,
        "var": lambda a, b: var(a),
        "std": lambda a, b: np.sqrt(var(a)),
        "sqdist": sq,
        "dot": dt,
        "norm": lambda a, b: np.sqrt(ss(a)),
        "min": lambda a, b: mn(a),
        "max": lambda a, b: mx(a),
        "argmin": lambda a, b: arg(a, 1.0),
        "argmax": lambda a, b: arg(a, -1.0),
    }


GILFREE = {
    "mse": lambda a, b: gilfree.mse(a, b),
    "mae": lambda a, b: gilfree.mae(a, b),
    "sum": lambda a, b: gilfree.sum(a),
    "mean": lambda a, b: gilfree.mean(a),
    "var": lambda a, b: gilfree.var(a),
    "std": lambda a, b: gilfree.std(a),
    "sqdist": lambda a, b: gilfree.sqdist(a, b),
    "dot": lambda a, b: gilfree.dot(a, b),
    "norm": lambda a, b: gilfree.norm(a),
    "min": lambda a, b: gilfree.min(a),
    "max": lambda a, b: gilfree.max(a),
    "argmin": lambda a, b: gilfree.argmin(a),
    "argmax": lambda a, b: gilfree.argmax(a),
}
NUMPY = {
    "mse": lambda a, b: np.mean(np.square(a - b)),
    "mae": lambda a, b: np.mean(np.abs(a - b)),
    "sum": lambda a, b: np.sum(a),
    "mean": lambda a, b: np.mean(a),
    "var": lambda a, b: np.var(a),
    "std": lambda a, b: np.std(a),
    "sqdist": lambda a, b: np.sum(np.square(a - b)),
    "dot": lambda a, b: np.dot(a, b),
    "norm": lambda a, b: np.linalg.norm(a),
    "min": lambda a, b: np.min(a),
    "max": lambda a, b: np.max(a),
    "argmin": lambda a, b: np.argmin(a),
    "argmax": lambda a, b: np.argmax(a),
}
READS = {k: 2 if k in ("mse", "mae", "sqdist", "dot") else 1 for k in GILFREE}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=float, default=1e7)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--only", nargs="*", help="kernels (default: all)")
    ap.add_argument("--no-numba", action="store_true")
    args = ap.parse_args()
    n = int(args.n)
    rng = np.random.default_rng(0)
    a = rng.normal(size=n) + 3.0
    b = rng.normal(size=n)
    buf = np.concatenate([a, b])
    nb = {} if args.no_numba else numba_kernels()
    pool = ThreadPoolExecutor(max_workers=max(args.threads))
    names = args.only or list(GILFREE)

    def ceiling(reads: int, t: int):
        x = buf[: reads * n]
        cuts = [len(x) * i // t for i in range(t + 1)]
        parts = [x[lo:hi] for lo, hi in zip(cuts, cuts[1:], strict=False)]
        if t == 1:
            return lambda: np.sum(x)

        def split():
            futs = [pool.submit(np.sum, p) for p in parts[1:]]
            np.sum(parts[0])
            for f in futs:
                f.result()

        return split

    rows = []
    print(f"n={n:.0e} float64, rounds={args.rounds}, cpus={os.cpu_count()}, load {os.getloadavg()}")
    print("ratio = other time / gilfree time (> 1: gilfree faster), median [best]")
    for name in names:
        ref = NUMPY[name](a, b)
        for t in args.threads:
            if nb:
                nb["set_threads"](t)
            with gilfree.threads(t):
                got = GILFREE[name](a, b)
                if not np.allclose(got, ref, rtol=1e-9, atol=0):
                    raise SystemExit(f"{name}: gilfree {got!r} != numpy {ref!r}")
                fns = {
                    "gilfree": lambda: GILFREE[name](a, b),
                    "numpy": lambda: NUMPY[name](a, b),
                    "ceiling": ceiling(READS[name], t),
                }
                if nb:
                    got = nb[name](a, b)  # compiles
                    if not np.allclose(got, ref, rtol=1e-9, atol=0):
                        raise SystemExit(f"{name}: numba {got!r} != numpy {ref!r}")
                    fns["numba"] = lambda: nb[name](a, b)
                s = interleaved(fns, rounds=args.rounds)
            g_med, g_best = statistics.median(s["gilfree"]), min(s["gilfree"])
            rows.append(
                {"kernel": name, "threads": t, "load": os.getloadavg()[0]}
                | {k: sorted(v) for k, v in s.items()}
            )
            line = f"{name:7s} t={t}  gilfree {g_med * 1e3:7.3f} ms [{g_best * 1e3:7.3f}]"
            for k in ("numba", "numpy", "ceiling"):
                if k in s:
                    line += f"  {k} {statistics.median(s[k]) / g_med:5.2f} [{min(s[k]) / g_best:5.2f}]"
            print(line + f"  load {os.getloadavg()[0]:.1f}", flush=True)
    if n == 10**7 and args.threads == [1, 2] and set(names) == set(GILFREE):
        save(rows, args.rounds)
    else:
        print("a partial run: results not written")


def save(rows: list[dict], rounds: int) -> None:
    """bench/results/stream.json (every round's seconds) and stream.md (the ratios)."""
    out = Path(__file__).resolve().parent / "results"
    command = f"python bench/bench_stream.py --rounds {rounds}"
    meta = {"command": command, "machine": platform.processor() or platform.machine(), "cpus": os.cpu_count()}
    (out / "stream.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    peers = ("numba", "numpy", "ceiling")
    lines = [
        "| kernel | threads | gilfree ms, median [best] | "
        + " | ".join(f"{p} / gilfree" for p in peers)
        + " |",
        "|---|---:|---:|" + "---:|" * len(peers),
    ]
    for r in rows:
        g = r["gilfree"]
        cells = [
            f"{statistics.median(r[p]) / statistics.median(g):.2f} [{r[p][0] / g[0]:.2f}]" if p in r else ""
            for p in peers
        ]
        lines.append(
            f"| {r['kernel']} | {r['threads']} | {statistics.median(g) * 1e3:.2f} [{g[0] * 1e3:.2f}] | "
            + " | ".join(cells)
            + " |"
        )
    lines += [
        "",
        f"n = 1e7 float64, {rounds} interleaved rounds, {os.cpu_count()} CPUs; ratio = peer time / gilfree time, "
        "median [best] (> 1: gilfree faster). numba: prange loops with fastmath, numba.set_num_threads(t); "
        "NumPy: one thread; ceiling: np.sum over the same bytes on t threads. Reproduce: `" + command + "`",
    ]
    (out / "stream.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {out / 'stream.json'} and {out / 'stream.md'}")


if __name__ == "__main__":
    main()
