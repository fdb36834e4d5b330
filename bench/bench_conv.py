"""gilfree.conv side by side with NumPy, SciPy and PyTorch (CPU), in one run.

Each case is timed at 1 thread and at all threads (gilfree.threads(n) and
torch.set_num_threads(n); numpy/scipy run on one core whatever n is). The
figure is the best of several repeats, gilfree and its peer timed
alternately (the first call after each switch not counted). A peer that
runs on one core is given one timing, its best over both passes, in both
rows: the rows then differ by gilfree's own scaling only. Writes
bench/results/conv.json and bench/results/conv.md.

The headline rows also time numba (convolve2d: a `prange` loop over rows) and
JAX (convolve2d: jax.scipy.signal.convolve2d; conv2d float32:
lax.conv_general_dilated) where installed (bench/_peers.py, the `bench-peers`
extra; a missing one is skipped with a note), each checked against gilfree's
result first and timed in the same alternation. numba runs on the row's
thread count; JAX on XLA's default (all CPUs), so in the all-thread rows only.

    python bench/bench_conv.py [--quick]
"""

from __future__ import annotations

import os

# numpy's BLAS threads spin after a call and would steal the cores we time on
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import gilfree
import numpy as np
import scipy.signal as ss
import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
OUT = HERE / "results"
sys.path.insert(0, str(HERE))
from _peers import note as peers_note  # noqa: E402
from _peers import peers as peer_fns  # noqa: E402


def best_ms_pair(ours, theirs, threads, repeats, extra=None):
    """Best times of ours (on `threads` gilfree threads), theirs and each of
    `extra` (name -> call), timed alternately so that a load change on a shared
    machine hits all. Each side's first call after a switch is not counted:
    right after a torch call gilfree ran ~1.7x slower (torch's worker threads
    still hold the cores), and the same handicap would fall on the peer after a
    gilfree call. Returns (ours ms, theirs ms, {name: ms} of extra)."""

    def once(fn):
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    extra = extra or {}
    b_ours = b_theirs = float("inf")
    b_extra = dict.fromkeys(extra, float("inf"))
    for _ in range(repeats):
        with gilfree.threads(threads):
            ours()
            b_ours = min(b_ours, once(ours))
        theirs()
        b_theirs = min(b_theirs, once(theirs))
        for k, fn in extra.items():
            fn()
            b_extra[k] = min(b_extra[k], once(fn))
    return b_ours * 1e3, b_theirs * 1e3, {k: v * 1e3 for k, v in b_extra.items()}


def cases(rng):
    out = []
    img = rng.standard_normal((512, 512))
    for k in (3, 5, 7):
        ker = rng.standard_normal((k, k))
        out.append(
            dict(
                case=f"convolve2d 512x512 f64, {k}x{k}, same",
                peer="scipy.signal.convolve2d",
                target=">= 10x (1 thread)",
                target_ratio=10.0,
                target_threads=1,
                ours=lambda img=img, ker=ker: gilfree.convolve2d(img, ker, "same"),
                theirs=lambda img=img, ker=ker: ss.convolve2d(img, ker, "same"),
                peer_threads=False,
                peers=("convolve2d", (img, ker), None) if k == 5 else None,
            )
        )
    for dt, target in ((np.float32, 1.0), (np.float64, 2.0)):
        x = rng.standard_normal((8, 64, 56, 56)).astype(dt)
        w = rng.standard_normal((64, 64, 3, 3)).astype(dt)
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)
        out.append(
            dict(
                case=f"conv2d {np.dtype(dt).name} N=8 C=64 56x56 O=64 3x3 pad 1",
                peer="torch conv2d",
                target=f">= {target:g}x (1 and all threads)",
                target_ratio=target,
                target_threads=None,
                ours=lambda x=x, w=w: gilfree.conv2d(x, w, padding=1),
                theirs=lambda tx=tx, tw=tw: F.conv2d(tx, tw, padding=1),
                peer_threads=True,
                # float32 sums of 576 products: checked to 1e-5 of the largest output
                peers=("conv2d", (x, w), 1e-5) if dt == np.float32 else None,
            )
        )
    a = rng.standard_normal(10**6)
    v16, v4096 = rng.standard_normal(16), rng.standard_normal(4096)
    out.append(
        dict(
            case="convolve 1-D n=1e6, k=16",
            peer="numpy.convolve",
            target=">= 2x",
            target_ratio=2.0,
            target_threads=None,
            ours=lambda: gilfree.convolve(a, v16),
            theirs=lambda: np.convolve(a, v16),
            peer_threads=False,
        )
    )
    out.append(
        dict(
            case='convolve 1-D n=1e6, k=4096, method "auto"',
            peer="scipy.signal.fftconvolve",
            target="within 1.2x (>= 0.83x)",
            target_ratio=1 / 1.2,
            target_threads=None,
            ours=lambda: gilfree.convolve(a, v4096),
            theirs=lambda: ss.fftconvolve(a, v4096),
            peer_threads=False,
        )
    )
    return out


def row(c, n, ours, theirs, extra):
    """The table row of case c at n gilfree threads (printed as it is made);
    extra: {peer of bench/_peers.py: ms}."""
    ratio = theirs / ours
    best = {c["peer"]: theirs} | extra
    best_peer = min(best, key=best.__getitem__)
    applies = c["target_threads"] in (None, n)
    r = dict(
        case=c["case"],
        threads=n,
        gilfree_ms=round(ours, 3),
        peer=c["peer"],
        peer_threads=n if c["peer_threads"] else 1,
        peer_ms=round(theirs, 3),
        speedup=round(ratio, 2),
        target=c["target"],
        met=(ratio >= c["target_ratio"]) if applies else None,
        peers_ms={k: round(v, 3) for k, v in extra.items()},
        best_peer=best_peer,
        best_peer_ms=round(best[best_peer], 3),
        ratio_best=round(best[best_peer] / ours, 2),
    )
    print(
        f"{r['case']:<48} t={n}  gilfree {ours:9.3f} ms  {c['peer']:<26} {theirs:9.3f} ms"
        f"  x{ratio:6.2f}  {'' if r['met'] is None else ('ok' if r['met'] else 'MISSED')}"
        + "".join(f"  {k} {v:9.3f} ms" for k, v in extra.items()),
        flush=True,
    )
    return r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args(argv)
    repeats = 3 if args.quick else 11
    rng = np.random.default_rng(0)
    ncpu = gilfree.available_cpus()
    rows = []
    old_torch = torch.get_num_threads()
    for c in cases(rng):
        timed = {}
        for n in sorted({1, ncpu}):
            torch.set_num_threads(n)
            extra = {}
            if c.get("peers"):  # numba / JAX, checked against gilfree's result (compiled) first
                with gilfree.threads(n):
                    ref = c["ours"]()
                pcase, pargs, rtol = c["peers"]
                extra = peer_fns(pcase, pargs, ref, threads=n, which=("numba", "jax"), rtol=rtol)
            timed[n] = best_ms_pair(c["ours"], c["theirs"], n, repeats, extra)
        if not c["peer_threads"]:
            # a single-threaded peer is one timing: its best over every pass serves all rows,
            # so the rows' ratios differ by gilfree's own scaling only
            single = min(theirs for _, theirs, _ in timed.values())
            timed = {n: (ours, single, extra) for n, (ours, _, extra) in timed.items()}
        for n, (ours, theirs, extra) in timed.items():
            rows.append(row(c, n, ours, theirs, extra))
    torch.set_num_threads(old_torch)
    cmd = f"{Path(sys.executable).name} bench/bench_conv.py" + (" --quick" if args.quick else "")
    meta = dict(
        command=cmd,
        cpus=ncpu,
        machine=platform.machine(),
        processor=platform.processor(),
        python=platform.python_version(),
        numpy=np.__version__,
        torch=torch.__version__,
        gilfree=gilfree.__version__,
        repeats=repeats,
        load_avg=os.getloadavg(),
    )
    OUT.mkdir(exist_ok=True)
    (OUT / "conv.json").write_text(json.dumps(dict(meta=meta, rows=rows), indent=2) + "\n")
    lines = [
        "| case | threads | gilfree ms | peer | peer ms | speed-up | target | met | numba ms | jax ms "
        "| best peer | ratio to best peer |",
        "|---|---:|---:|---|---:|---:|---|---|---:|---:|---|---:|",
    ]
    for r in rows:
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append(
            f"| {r['case']} | {r['threads']} | {r['gilfree_ms']:.2f} | {r['peer']} "
            f"({r['peer_threads']} thr) | {r['peer_ms']:.2f} | {r['speedup']:.2f}x | "
            f"{r['target']} | {met} | "
            + " | ".join(f"{r['peers_ms'][q]:.2f}" if q in r["peers_ms"] else "" for q in ("numba", "jax"))
            + f" | {r['best_peer']} | {r['ratio_best']:.2f}x |"
        )
    lines.append("")
    lines.append(
        "Peers of the headline rows, timed in the same alternation: numba (convolve2d 5x5, a "
        "`prange` loop on the row's threads), JAX (jit; jax.scipy.signal.convolve2d and "
        "lax.conv_general_dilated at XLA's default thread count, so in the all-thread rows only). "
        "Best peer: the fastest of all; ratio = its time / gilfree's (> 1: gilfree faster). " + peers_note()
    )
    (OUT / "conv.md").write_text("\n".join(lines) + "\n")
    print(f"\nwrote {OUT / 'conv.json'} and {OUT / 'conv.md'}")
    print(f"reproduce: {cmd}   (load average during the run: {meta['load_avg'][0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
