"""Experiments 4 and 5 of bench/showcase.py.

4. Kernel speed against the peers: the headline rows (those with a target)
   of bench/results/{losses,loops,conv}.json, written by bench_losses.py,
   bench_loops.py and bench_conv.py; these are not re-run here. A family
   whose JSON is missing is measured now on the cases of ``python -m
   gilfree demo`` (gilfree._demo and its family modules).
5. Thread scaling 1..all cores of three kernels (compute-bound log_cosh+grad
   and conv2d, memory-bound var), kept per machine: the plot draws one
   curve per host found in the showcase JSONs, so a run on a many-core
   machine adds its own curve.
"""

from __future__ import annotations

import importlib
import json

import gilfree
import numpy as np
from _timing import RESULTS, interleaved

HEADLINE_LOSSES = ["mse", "huber", "poisson_nll", "binary_cross_entropy_with_logits", "cross_entropy"]


def _losses(data: dict) -> list[dict]:
    rows = [r for r in data["rows"] if r["loss"] in HEADLINE_LOSSES and r["dtype"] == "float64"]
    n, nt = max(r["n"] for r in rows), max(r["threads"] for r in rows)
    out = []
    for r in rows:
        if r["n"] == n and r["threads"] == nt and r["mode"] == "value+grad":
            s = r["seconds"]
            for peer in ("numpy", "torch"):
                if s.get(peer):
                    out.append(
                        {
                            "family": "losses",
                            "case": f"{r['loss']}+grad n={n:.0e}",
                            "peer": peer,
                            "threads": nt,
                            "gilfree_ms": s["gilfree"] * 1e3,
                            "peer_ms": s[peer] * 1e3,
                        }
                    )
    return out


def _loops(data: dict) -> list[dict]:
    nt = data["meta"]["threads"]
    return [
        {
            "family": "loops",
            "case": r["case"],
            "peer": r["peer"],
            "threads": nt,
            "gilfree_ms": r["gilfree_2t_ms"] if nt == 2 else r.get(f"gilfree_{nt}t_ms", r["gilfree_2t_ms"]),
            "peer_ms": r["peer_ms"],
        }
        for r in data["results"]
        if r.get("target_1t") or r.get("target_all")
    ]


def _conv(data: dict) -> list[dict]:
    nt = max(r["threads"] for r in data["rows"])
    return [
        {
            "family": "conv",
            "case": r["case"],
            "peer": r["peer"],
            "threads": nt,
            "gilfree_ms": r["gilfree_ms"],
            "peer_ms": r["peer_ms"],
        }
        for r in data["rows"]
        if r["threads"] == nt and r.get("target")
    ]


def _measured(family: str, smoke: bool, rounds: int) -> list[dict]:
    """The demo's cases of `family`, timed now (gilfree and the peer interleaved)."""
    if family == "losses":
        from gilfree._demo import loss_cases

        cases = loss_cases(True)
    else:
        cases = importlib.import_module(f"gilfree._demo_{family}").cases(True)
    out = []
    for label, ours, peer_label, peer in cases[: 1 if smoke else None]:
        s = interleaved({"g": ours, "p": peer}, rounds=rounds)
        out.append(
            {
                "family": family,
                "case": label,
                "peer": peer_label,
                "threads": gilfree.get_num_threads(),
                "gilfree_ms": min(s["g"]) * 1e3,
                "peer_ms": min(s["p"]) * 1e3,
            }
        )
    return out


def peers(smoke: bool, rounds: int, results=RESULTS) -> dict:
    rows, sources = [], {}
    for family, pick in (("losses", _losses), ("loops", _loops), ("conv", _conv)):
        path = results / f"{family}.json"
        try:
            got = pick(json.loads(path.read_text()))
            sources[family] = f"bench/results/{family}.json (not re-run)"
        except (OSError, KeyError, ValueError):
            got = _measured(family, smoke, rounds)
            sources[family] = "measured now (the demo's cases; bench JSON missing)"
        rows += got
    for r in rows:
        r["speedup"] = r["peer_ms"] / r["gilfree_ms"]
    return {"rows": rows, "sources": sources}


def scaling(nt: int, quick: bool, smoke: bool, rounds: int) -> dict:
    """Seconds per call and speed-up over one thread, for 1..nt threads."""
    rng = np.random.default_rng(5)
    n = 10**5 if smoke else (10**6 if quick else 10**7)
    a, b = rng.normal(size=n), rng.normal(size=n)
    side = 16 if smoke else (32 if quick else 56)
    img = rng.normal(size=(4, 32, side, side)).astype(np.float32)
    w = rng.normal(size=(32, 32, 3, 3)).astype(np.float32)
    kernels = {
        f"log_cosh+grad n={n:.0e}": lambda: gilfree.log_cosh(a, b, return_grad=True),
        f"var n={n:.0e}": lambda: gilfree.var(a),
        f"conv2d f32 4x32x{side}x{side} 3x3": lambda: gilfree.conv2d(img, w, padding=1),
    }
    curves = {}
    for label, fn in kernels.items():

        def on(t, fn=fn):
            def run():
                with gilfree.threads(t):
                    fn()

            return run

        s = interleaved({t: on(t) for t in range(1, nt + 1)}, rounds=rounds)
        t1 = min(s[1])
        curves[label] = [
            {"threads": t, "seconds": min(s[t]), "speedup": t1 / min(s[t])} for t in range(1, nt + 1)
        ]
    return {"cpus": nt, "curves": curves}
