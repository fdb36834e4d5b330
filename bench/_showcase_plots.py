"""The showcase's plots, drawn from its JSON (bench/showcase.py saves them as
PNG; notebooks/03-benchmarks.ipynb shows them inline). One message per plot,
labelled axes with units, and the claim's figure drawn beside the
measurement."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

CLAIM = dict(color="k", ls="--", lw=1.2)


def _plt():
    import matplotlib.pyplot as plt

    return plt


def _finish(fig, ax, xlabel: str, ylabel: str, title: str, **legend):
    """Labels, title and legend of a plot; the figure, laid out."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(**legend)
    fig.tight_layout()
    return fig


def _ingestion_bars(data: dict, key: str, factor: float, pick, claim: str, ylabel: str, title: str):
    """Bars of `key` per size and variant of experiment 1, and the claim's level:
    `factor` times `pick` (max or min) of the process variants at each size."""
    rows = data["experiments"]["1"]["rows"]
    sizes = sorted({(r["docs"], r["doc_len"]) for r in rows}, key=lambda s: s[1])
    variants = list(dict.fromkeys(r["variant"] for r in rows))
    at = {(r["docs"], r["doc_len"], r["variant"]): r[key] for r in rows}
    fig, ax = _plt().subplots(figsize=(8, 4.2))
    w = 0.8 / len(variants)
    for j, v in enumerate(variants):
        ax.bar(np.arange(len(sizes)) + j * w, [at[(*s, v)] for s in sizes], w, label=v)
    for i, s in enumerate(sizes):
        level = factor * pick(at[(*s, v)] for v in variants if v.startswith("proc"))
        ax.hlines(level, i - w / 2, i + 0.8 - w / 2, **CLAIM, label=claim if i == 0 else None)
    ax.set_xticks(np.arange(len(sizes)) + 0.4 - w / 2, [f"{d} docs x {n:,} float64" for d, n in sizes])
    return _finish(fig, ax, "document size", ylabel, title, fontsize=7), ax


def throughput(data: dict):
    fig, ax = _ingestion_bars(
        data,
        "docs_per_s",
        1.7,
        max,
        "claim: threads = 1.7x the best processes",
        "throughput (documents/s, log scale)",
        "Ingestion: threads + gilfree against processes (higher is better)",
    )
    ax.set_yscale("log")
    return fig


def memory(data: dict):
    fig, _ = _ingestion_bars(
        data,
        "peak_rss_mib",
        0.35,
        min,
        "claim: threads <= 0.35x the processes",
        "peak RSS of the process tree (MiB)",
        "Ingestion: memory of threads against processes (lower is better)",
    )
    return fig


def nogil_scaling(data: dict):
    e2 = data["experiments"]["2"]
    fig, ax = _plt().subplots(figsize=(6.5, 4.2))
    nt = e2["threads"]
    for name, pts in e2["scaling"].items():
        ax.plot([p["threads"] for p in pts], [p["speedup"] for p in pts], "o-", label=f"typed loop, {name}")
    ax.plot([1, nt], [1, nt], color="gray", lw=0.8, label="ideal")
    ax.set_xticks(range(1, nt + 1))
    ax.axhline(e2["machine_ceiling"], color="k", ls=":", label=f"machine ceiling at {nt} threads")
    if nt >= 2:
        ax.plot([2], [1.8], marker="*", ms=12, color="tab:red", ls="none", label="target: 1.8x at 2 threads")
    return _finish(
        fig,
        ax,
        "threads running the loop at once",
        "throughput over one thread (x)",
        "One typed loop on 1..N threads: nogil, holding the GIL, pure Python",
        fontsize=7,
    )


def speed_claims(data: dict):
    e2 = data["experiments"]["2"]
    items = [
        ("nogil loop / pure Python", e2["nogil_over_python"], 3.0, 100.0),
        ("fused float64 / NumPy", e2["fused_vs_numpy"]["float64"], 2.3, None),
        ("fused float32 / NumPy", e2["fused_vs_numpy"]["float32"], 2.3, None),
        ("asyncio nogil / GIL threads", e2["asyncio_gather"]["gil_over_nogil"], 2.0, None),
    ]
    fig, ax = _plt().subplots(figsize=(7, 3.6))
    ys = np.arange(len(items))[::-1]
    ax.barh(ys, [i[1] for i in items], color="tab:blue", label="measured")
    ax.scatter([i[2] for i in items], ys, marker="|", s=300, color="tab:red", zorder=3, label="blog's figure")
    tg = [(y, i[3]) for y, i in zip(ys, items, strict=True) if i[3]]
    ax.scatter(
        [t for _, t in tg], [y for y, _ in tg], marker="*", s=120, color="k", zorder=3, label="gilfree target"
    )
    ax.set_yticks(ys, [i[0] for i in items])
    ax.set_xscale("log")
    return _finish(
        fig,
        ax,
        "speed ratio (x, log scale)",
        "",
        "Typed loops: measured ratios against the claimed ones",
        fontsize=7,
    )


def gather(data: dict):
    g = data["experiments"]["3"]["gather"]
    fig, ax = _plt().subplots(figsize=(6.5, 4))
    ks = [r["k"] for r in g]
    ax.plot(ks, [r["sequential_s"] * 1e3 for r in g], "o-", label="k sync calls, one after another")
    ax.plot(ks, [r["gather_s"] * 1e3 for r in g], "o-", label="asyncio.gather of k gilfree.aio awaits")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    return _finish(
        fig,
        ax,
        "k (calls of log_cosh+grad)",
        "wall time (ms, log scale)",
        "asyncio.gather of k awaits vs k sequential sync calls",
        fontsize=8,
    )


def loop_lag(data: dict):
    hb = data["experiments"]["3"]["heartbeat"]
    fig, ax = _plt().subplots(figsize=(8, 4))
    for label, s in hb["series"].items():
        ax.plot(s["t_s"], s["gap_ms"], ".-", ms=2, lw=0.6, label=f"{label}: p99 {s['p99']:.1f} ms")
    ax.axhline(3, **CLAIM, label="goal: p99 <= 3 ms")
    ax.set_yscale("log")
    return _finish(
        fig,
        ax,
        "time since the start (s)",
        "heartbeat gap (ms, 1 ms sleeps; log scale)",
        f"Event-loop lag while log_cosh+grad (n={hb['n']:.0e}) runs: blocking vs offloaded",
        fontsize=8,
    )


def peers(data: dict):
    rows = data["experiments"]["4"]["rows"]
    fig, ax = _plt().subplots(figsize=(8, 0.27 * len(rows) + 1.6))
    ys = np.arange(len(rows))[::-1]
    colors = {"losses": "tab:blue", "loops": "tab:green", "conv": "tab:purple"}
    ax.barh(ys, [r["speedup"] for r in rows], color=[colors.get(r["family"], "gray") for r in rows])
    ax.axvline(1.0, **CLAIM, label="parity with the peer")
    ax.set_yticks(ys, [f"{r['case']} vs {r['peer']} ({r['threads']} thr)" for r in rows], fontsize=6)
    ax.set_xscale("log")
    return _finish(
        fig,
        ax,
        "speed-up over the peer (peer time / gilfree time, log scale)",
        "",
        "Kernel speed against NumPy, SciPy and torch (headline rows)",
        fontsize=7,
    )


def scaling_by_machine(data: dict, results: Path | None = None):
    """Speed-up over one thread of the first scaling kernel, one curve per host:
    this run, and the newest showcase JSON of every other host in `results`."""
    runs = {data["env"]["host"]: data}
    for path in sorted(Path(results).glob("showcase-*.json")) if results else []:
        try:
            other = json.loads(path.read_text())
            runs.setdefault(other["env"]["host"], other)
        except (OSError, ValueError, KeyError):
            continue
    fig, ax = _plt().subplots(figsize=(6.5, 4.2))
    top = 1
    for host, d in runs.items():
        e5 = d["experiments"]["5"]
        for label, pts in list(e5["curves"].items())[:2]:
            ax.plot(
                [p["threads"] for p in pts],
                [p["speedup"] for p in pts],
                "o-",
                label=f"{host} ({e5['cpus']} CPUs): {label}",
            )
        top = max(top, e5["cpus"])
    ax.plot([1, top], [1, top], color="gray", lw=0.8, label="ideal")
    ax.set_xticks(range(1, top + 1, max(1, top // 16)))
    return _finish(
        fig,
        ax,
        "gilfree threads",
        "speed-up over one thread (x)",
        "Thread scaling, one curve per machine",
        fontsize=7,
    )


PLOTS = {
    "exp1-throughput": (throughput, "ingestion throughput"),
    "exp1-memory": (memory, "ingestion memory"),
    "exp2-scaling": (nogil_scaling, "nogil vs GIL scaling"),
    "exp2-ratios": (speed_claims, "typed-loop ratios vs claims"),
    "exp3-gather": (gather, "gather vs sequential"),
    "exp3-loop-lag": (loop_lag, "event-loop lag"),
    "exp4-peers": (peers, "speed vs peers"),
    "exp5-scaling": (scaling_by_machine, "thread scaling per machine"),
}


def draw(data: dict, results: Path | None = None) -> dict:
    """{name: (figure, label)} of every plot."""
    out = {}
    for name, (fn, label) in PLOTS.items():
        fig = fn(data, results) if fn is scaling_by_machine else fn(data)
        out[name] = (fig, label)
    return out
