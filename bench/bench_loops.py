"""Typed loops vs NumPy / SciPy, side by side in one run.

The rows with a peer case (logsumexp and the n = 1e7 float64 reductions: sqdist,
sum, mean, var, std, min, max, argmin, argmax, norm, dot) also time numba
(prange, on 1 and on all threads), JAX (jit, XLA's default threads: all-thread
column only) and numexpr (1 and all threads, where it has the reduction) where
installed (bench/_peers.py, the `bench-peers` extra; a missing one is skipped
with a note), each checked against gilfree's result first, in the same
interleaved rounds. The NumPy peers of dot and norm run on OpenBLAS's threads:
they are timed at its default and, for the 1-thread comparison, limited to one
BLAS thread with threadpoolctl where installed (BLAS_CASES).

Each case is timed as the best of `--repeat` calls (after one warm-up), for
gilfree on one thread and on all threads, and for the peer. Writes
bench/results/loops.json and bench/results/loops.md.

    python bench/bench_loops.py            # full sizes (n = 1e7)
    python bench/bench_loops.py --quick    # small sizes, a smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

# NumPy's OpenBLAS threads (np.dot, np.linalg.norm use both cores) spin ~0.1 s
# after each call (2^28 cycles) unless told to sleep at once (2^4 cycles): they
# would take a core from the gilfree timing that follows.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import gilfree  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy.special import logsumexp as sp_logsumexp  # noqa: E402
from scipy.special import softmax as sp_softmax  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _peers import NAMES as PEER_NAMES  # noqa: E402
from _peers import note as peers_note  # noqa: E402
from _peers import peers as peer_fns  # noqa: E402
from _timing import interleaved, update_readme_section  # noqa: E402
from bench_scaling import Probes  # noqa: E402

try:  # comes with scikit-learn; without it the BLAS peers run at their default threads only
    import threadpoolctl  # noqa: E402
except ImportError:
    threadpoolctl = None

# Peer cases whose NumPy call runs on BLAS (np.dot, np.linalg.norm: OpenBLAS threads a
# long vector over all cores by itself). Their NumPy peer is also timed limited to one
# BLAS thread, for the 1-thread comparison.
BLAS_CASES = ("dot", "norm")


def on_one_blas_thread(ctl, fn):
    """fn, called with every BLAS library limited to one thread (as threadpool_limits(limits=1,
    user_api="blas"), through a controller built once: ~10 us per switch, not ~1 ms)."""

    def run():
        with ctl.limit(limits=1, user_api="blas"):
            return fn()

    return run


def cases(n: int, side: int):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(n)
    b = rng.standard_normal(n)
    m = rng.standard_normal((side, side))
    i32 = rng.integers(-1000, 1000, n).astype(np.int32)
    f32 = a.astype(np.float32)
    big = rng.standard_normal((4 * side, 4 * side))
    # (label, gilfree call, peer label, peer call, target ratio 1 thread, target all threads
    #  [, (case of bench/_peers.py, its arguments)])
    return [
        (
            f"sqdist float64 n={n:.0e}",
            lambda: gilfree.sqdist(a, b),
            "np.sum((a-b)**2)",
            lambda: np.sum((a - b) ** 2),
            2.5,
            None,
            ("sqdist", (a, b)),
        ),
        (
            f"logsumexp {side}x{side} axis=-1",
            lambda: gilfree.logsumexp(m, axis=-1),
            "scipy.special.logsumexp",
            lambda: sp_logsumexp(m, axis=-1),
            None,
            2.0,
            ("logsumexp", (m,)),
        ),
        (
            f"sum float64 n={n:.0e}",
            lambda: gilfree.sum(a),
            "np.sum",
            lambda: np.sum(a),
            1.0,
            1.8,
            ("sum", (a,)),
        ),
        (
            f"var float64 n={n:.0e}",
            lambda: gilfree.var(a),
            "np.var",
            lambda: np.var(a),
            None,
            2.0,
            ("var", (a,)),
        ),
        (
            f"argmax float64 n={n:.0e}",
            lambda: gilfree.argmax(a),
            "np.argmax",
            lambda: np.argmax(a),
            None,
            1.0,
            ("argmax", (a,)),
        ),
        (
            f"min float64 n={n:.0e}",
            lambda: gilfree.min(a),
            "np.min",
            lambda: np.min(a),
            None,
            1.0,
            ("min", (a,)),
        ),
        (
            f"max float64 n={n:.0e}",
            lambda: gilfree.max(a),
            "np.max",
            lambda: np.max(a),
            None,
            1.0,
            ("max", (a,)),
        ),
        (
            f"argmin float64 n={n:.0e}",
            lambda: gilfree.argmin(a),
            "np.argmin",
            lambda: np.argmin(a),
            None,
            None,
            ("argmin", (a,)),
        ),
        (f"min float32 n={n:.0e}", lambda: gilfree.min(f32), "np.min", lambda: np.min(f32), None, None),
        (
            f"argmax float32 n={n:.0e}",
            lambda: gilfree.argmax(f32),
            "np.argmax",
            lambda: np.argmax(f32),
            None,
            None,
        ),
        (f"max int32 n={n:.0e}", lambda: gilfree.max(i32), "np.max", lambda: np.max(i32), None, None),
        (
            f"argmax int32 n={n:.0e}",
            lambda: gilfree.argmax(i32),
            "np.argmax",
            lambda: np.argmax(i32),
            None,
            None,
        ),
        (
            f"mean float64 n={n:.0e}",
            lambda: gilfree.mean(a),
            "np.mean",
            lambda: np.mean(a),
            None,
            None,
            ("mean", (a,)),
        ),
        (
            f"std float64 n={n:.0e}",
            lambda: gilfree.std(a),
            "np.std",
            lambda: np.std(a),
            None,
            None,
            ("std", (a,)),
        ),
        (
            f"norm float64 n={n:.0e}",
            lambda: gilfree.norm(a),
            "np.linalg.norm",
            lambda: np.linalg.norm(a),
            None,
            None,
            ("norm", (a,)),
        ),
        (
            f"dot float64 n={n:.0e}",
            lambda: gilfree.dot(a, b),
            "np.dot",
            lambda: np.dot(a, b),
            None,
            None,
            ("dot", (a, b)),
        ),
        (f"sum int32 n={n:.0e}", lambda: gilfree.sum(i32), "np.sum", lambda: np.sum(i32), None, None),
        (
            f"sum axis=0 {side}x{side}",
            lambda: gilfree.sum(m, axis=0),
            "np.sum(axis=0)",
            lambda: np.sum(m, axis=0),
            None,
            None,
        ),
        (
            f"sum axis=0 {4 * side}x{4 * side}",
            lambda: gilfree.sum(big, axis=0),
            "np.sum(axis=0)",
            lambda: np.sum(big, axis=0),
            None,
            None,
        ),
        (
            f"var axis=0 {4 * side}x{4 * side}",
            lambda: gilfree.var(big, axis=0),
            "np.var(axis=0)",
            lambda: np.var(big, axis=0),
            None,
            None,
        ),
        (
            f"max axis=0 {4 * side}x{4 * side}",
            lambda: gilfree.max(big, axis=0),
            "np.max(axis=0)",
            lambda: np.max(big, axis=0),
            None,
            None,
        ),
        (
            f"softmax {side}x{side} axis=-1",
            lambda: gilfree.softmax(m),
            "scipy.special.softmax",
            lambda: sp_softmax(m, axis=-1),
            None,
            None,
        ),
        (
            f"cumsum float64 n={n:.0e}",
            lambda: gilfree.cumsum(a),
            "np.cumsum",
            lambda: np.cumsum(a),
            None,
            None,
        ),
        (
            f"axpy float64 n={n:.0e}",
            lambda: gilfree.axpy(0.5, a, b),
            "0.5*a + b",
            lambda: 0.5 * a + b,
            None,
            None,
        ),
        (
            f"clip float64 n={n:.0e}",
            lambda: gilfree.clip(a, -1.0, 1.0),
            "np.clip",
            lambda: np.clip(a, -1.0, 1.0),
            None,
            None,
        ),
        (
            f"histogram float64 n={n:.0e} bins=100",
            lambda: gilfree.histogram(a, 100),
            "np.histogram",
            lambda: np.histogram(a, 100),
            None,
            None,
        ),
    ]


def peer_cells(r) -> str:
    """The numba / JAX / numexpr and best-peer cells of a row (blank without peers)."""
    if "peers_ms" not in r:
        return " | | | | | |"
    p = r["peers_ms"]

    def pair(q):
        a, b = p.get(f"{q}_1t"), p.get(f"{q}_all")
        return " / ".join("" if v is None else f"{v:.2f}" for v in (a, b)) if a or b else ""

    jx = p.get("jax_all")
    return (
        f"{pair('numba')} | {'' if jx is None else f'{jx:.2f}'} | {pair('numexpr')} | "
        f"{r['best_peer_1t']} | {r['best_ratio_1t']:.2f}x | {r['best_peer_all']} | {r['best_ratio_all']:.2f}x"
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    p.add_argument("--repeat", type=int, default=11)
    p.add_argument("--out", default=str(HERE / "results"))
    args = p.parse_args(argv)
    n, side = (10**5, 200) if args.quick else (10**7, 1000)
    nmax = gilfree.available_cpus()
    probes = Probes(n, nmax, np.random.default_rng(1))
    mem1, memn = probes.memory((1, 0))  # np.sum over n float64, on 1 and on all threads
    # built after every import (numba, JAX): it sees each BLAS library loaded
    blas = threadpoolctl.ThreadpoolController() if threadpoolctl is not None else None
    rows = []
    for label, g, peer_label, peer, t1, tn, *more in cases(n, side):

        def on(k, g=g):
            def run():
                with gilfree.threads(k):
                    g()

            return run

        fns = {"peer": peer}
        blas_row = bool(more) and more[0][0] in BLAS_CASES
        if blas_row and blas is not None:  # the NumPy peer on 1 BLAS thread, in the same rounds
            fns["peer_1t"] = on_one_blas_thread(blas, peer)
        fns.update(g1=on(1), gn=on(nmax))
        if more:  # numba, JAX, numexpr on 1 and on all threads, checked against gilfree's result
            pcase, pargs = more[0]
            ref = g()
            for k, tag in {1: "1t", nmax: "all"}.items():
                fns.update({f"{q}_{tag}": f for q, f in peer_fns(pcase, pargs, ref, threads=k).items()})
        ceiling = label.startswith("sum float64")
        if ceiling:  # what the machine allows np.sum's bytes on all threads
            fns.update(mem1=mem1, memn=memn)
        s = interleaved(fns, rounds=args.repeat)
        tp, g1, gn = (min(s[k]) for k in ("peer", "g1", "gn"))
        s1 = s.get("peer_1t", s["peer"])  # the NumPy peer of the 1-thread comparison
        tp1 = min(s1)
        row = {
            "case": label,
            "peer": peer_label,
            "peer_ms": tp * 1e3,
            "gilfree_1t_ms": g1 * 1e3,
            f"gilfree_{nmax}t_ms": gn * 1e3,
            "ratio_1t": tp1 / g1,
            "ratio_all": tp / gn,
            "target_1t": t1,
            "target_all": tn,
            "median_ratio_1t": float(np.median(np.array(s1) / np.array(s["g1"]))),
            "median_ratio_all": float(np.median(np.array(s["peer"]) / np.array(s["gn"]))),
        }
        if blas_row:  # peer_ms: BLAS's default threads; peer_1t_ms: limited to one (None: no threadpoolctl)
            row["peer_uses_blas"] = True
            row["peer_1t_ms"] = tp1 * 1e3 if "peer_1t" in s else None
        if more:
            row["peers_ms"] = {k: min(v) * 1e3 for k, v in s.items() if k.split("_")[0] in PEER_NAMES}
            for tag, gt, tnp in (("1t", g1, tp1), ("all", gn, tp)):
                best = {peer_label: tnp} | {
                    k.split("_")[0]: min(v)
                    for k, v in s.items()
                    if k.endswith(tag) and k.split("_")[0] in PEER_NAMES
                }
                q = min(best, key=best.__getitem__)
                row[f"best_peer_{tag}"] = q
                row[f"best_ratio_{tag}"] = best[q] / gt
        if ceiling:
            row["numpy_bytes_all_threads_speedup"] = min(s["mem1"]) / min(s["memn"])
        rows.append(row)
        blas_1t = f" (peer on 1 BLAS thread {tp1 * 1e3:.2f} ms)" if "peer_1t" in s else ""
        print(
            f"{label:40s} {peer_label:24s} peer {tp * 1e3:8.2f} ms | 1t {g1 * 1e3:8.2f} ms "
            f"x{tp1 / g1:5.2f} | {nmax}t {gn * 1e3:8.2f} ms x{tp / gn:5.2f}{blas_1t}",
            flush=True,
        )
    cmd = "python bench/bench_loops.py" + (" --quick" if args.quick else "")
    meta = {
        "command": cmd,
        "threads": nmax,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "gilfree": gilfree.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "simd": gilfree._config.config().get("simd_in_use") if hasattr(gilfree, "_config") else "",
        "threadpoolctl": threadpoolctl.__version__ if threadpoolctl is not None else None,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick else ""
    (out / f"loops{suffix}.json").write_text(json.dumps({"meta": meta, "results": rows}, indent=2))
    lines = [
        f"| case | peer | peer ms (BLAS: 1 / {nmax} thr) | gilfree 1 thread ms | speed-up 1 thread | "
        f"gilfree {nmax} threads ms | speed-up {nmax} threads | target | numba ms (1 / {nmax} thr) | "
        f"jax ms | numexpr ms (1 / {nmax} thr) | best peer 1 thread | ratio to it | "
        f"best peer {nmax} threads | ratio to it |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---|---:|",
    ]
    for r in rows:
        target = []
        if r["target_1t"]:
            target.append(f">= {r['target_1t']}x (1 thread)")
        if r["target_all"]:
            target.append(f">= {r['target_all']}x ({nmax} threads)")
        peer_ms = f"{r['peer_ms']:.2f}"
        if r.get("peer_1t_ms") is not None:
            peer_ms = f"{r['peer_1t_ms']:.2f} / {peer_ms}"
        lines.append(
            f"| {r['case']} | `{r['peer']}` | {peer_ms} | {r['gilfree_1t_ms']:.2f} | "
            f"{r['ratio_1t']:.2f}x ({r['median_ratio_1t']:.2f}x) | {r[f'gilfree_{nmax}t_ms']:.2f} | "
            f"{r['ratio_all']:.2f}x ({r['median_ratio_all']:.2f}x) | {', '.join(target)} | "
            + peer_cells(r)
            + " |"
        )
    lines.append("")
    lines.append(
        f"Speed-up = peer time / gilfree time: best of {args.repeat} rounds that time the peer, "
        f"gilfree on 1 thread and gilfree on {nmax} in turn (in brackets: the median of the "
        f"per-round ratios); NumPy {np.__version__}, SciPy {scipy.__version__}, {nmax} CPUs. "
        f"Reproduce: `{cmd}`"
    )
    lines.append("")
    lines.append(
        "Peers of the rows with a peer case in the same rounds: numba `prange` kernels and numexpr on 1 "
        f"and on {nmax} threads, JAX (jit) at XLA's default thread count ({nmax} threads column "
        "only); best peer = the fastest of them and the NumPy/SciPy peer, ratio = its time / "
        "gilfree's (> 1: gilfree faster). " + peers_note()
    )
    lines.append("")
    if blas is not None:
        lines.append(
            "`np.dot` and `np.linalg.norm` run on OpenBLAS, which threads a long vector over all "
            f"{nmax} cores by itself: their NumPy peer is timed twice in the same rounds, at "
            f"OpenBLAS's default ({nmax} threads, the {nmax}-thread comparison) and limited to one "
            'thread with threadpoolctl (`limit(limits=1, user_api="blas")` of a '
            "`ThreadpoolController` built once, as `threadpool_limits`; its switch, ~10 us a call, "
            "is inside the timing) for the 1-thread comparison: speed-up 1 thread and best peer 1 "
            f"thread use the latter, and peer ms gives both (1 / {nmax} threads)."
        )
    else:
        lines.append(
            "threadpoolctl is not installed (it comes with scikit-learn): `np.dot` and "
            f"`np.linalg.norm` ran at OpenBLAS's default thread count ({nmax} cores) in the 1-thread "
            "comparison too, which favours NumPy there."
        )
    for r in rows:
        if "numpy_bytes_all_threads_speedup" in r:
            lines.append("")
            lines.append(
                f"Memory ceiling, same rounds: NumPy summing the same {n:.0e} float64 split over "
                f"{nmax} Python threads runs {r['numpy_bytes_all_threads_speedup']:.2f}x as fast as "
                f"np.sum on one; gilfree's {nmax}-thread sum reaches {r['ratio_all']:.2f}x (median "
                f"{r['median_ratio_all']:.2f}x). Both are bound by memory bandwidth, which on this VM "
                "grows by 1.0-1.8x with a second thread (bench/bench_scaling.py measures the same for "
                "every streaming kernel); "
                + (
                    f"the {nmax}-thread target of {r['target_all']}x np.sum is met in this run."
                    if r["ratio_all"] >= r["target_all"]
                    else f"the {nmax}-thread target of {r['target_all']}x np.sum is above what NumPy's own "
                    "threads reach here."
                )
            )
    (out / f"loops{suffix}.md").write_text("\n".join(lines) + "\n")
    if not args.quick:
        update_readme_section("loops-table", "\n".join(lines) + "\n")
    print(f"\nwrote {out / f'loops{suffix}.json'} and {out / f'loops{suffix}.md'}")
    print(f"reproduce with: {cmd}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
